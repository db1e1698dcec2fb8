import { toChildArray, type ComponentChildren } from 'preact';
import { useCallback, useState } from 'preact/hooks';

export interface Column {
  key: string;
  label: ComponentChildren;
  /** Right-aligned tabular figures: the header gets `th.num` (the rows' cells take `td.num` themselves). */
  numeric?: boolean;
  /** A header read by screen readers only (a column of buttons or links needs a name, not a visible one). */
  hiddenLabel?: boolean;
}

/**
 * The dashboard's data table: a horizontally scrolling wrapper, `table.data`, a visually hidden caption (the table's
 * accessible name, which tests and screen readers find it by) and one `th scope="col"` a column. `children` are the
 * body's rows; with `empty`, no rows show that sentence instead of the table.
 */
export function DataTable({
  caption,
  columns,
  children,
  class: cls,
  testId,
  captionId,
  wrap = 'table-wrap',
  busy,
  empty,
}: {
  caption: string;
  columns: Column[];
  children: ComponentChildren;
  /** Classes added to `data`. */
  class?: string;
  testId?: string;
  captionId?: string;
  /** The wrapper's class. */
  wrap?: string;
  /** Sets aria-busy (while a new page of rows loads). */
  busy?: boolean;
  /** What to say, in place of the table, when there is no row. */
  empty?: ComponentChildren;
}) {
  if (empty !== undefined && toChildArray(children).length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class={wrap}>
      <table class={cls ? `data ${cls}` : 'data'} data-testid={testId} aria-busy={busy === undefined ? undefined : busy ? 'true' : 'false'}>
        <caption id={captionId} class="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined}>
                {c.hiddenLabel ? <span class="visually-hidden">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * The button that shows or hides a row's details (its JSON, its raw body) in the row below. `label` gives the
 * accessible name from the action's visible text ("Show JSON" or "Hide JSON"), to say which row it is about.
 */
export function DetailsToggle({
  open,
  controls,
  show,
  hide,
  label,
  onToggle,
}: {
  open: boolean;
  controls: string;
  show: string;
  hide: string;
  label: (action: string) => string;
  onToggle: () => void;
}) {
  const action = open ? hide : show;
  return (
    <button type="button" class="small" aria-expanded={open} aria-controls={controls} aria-label={label(action)} onClick={onToggle}>
      {action}
    </button>
  );
}

/** The row under a data row that holds its details across the whole width, while open. */
export function DetailsRow({ open, id, colSpan, class: cls, children }: { open: boolean; id: string; colSpan: number; class: string; children: ComponentChildren }) {
  if (!open) return null;
  return (
    <tr class={cls}>
      <td colSpan={colSpan} id={id}>
        {children}
      </td>
    </tr>
  );
}

/** Which rows have their details open: a set of keys, with `toggle` and `close`. */
export function useOpenRows(): { isOpen: (key: string) => boolean; toggle: (key: string) => void; close: (key: string) => void } {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const change = useCallback((key: string, to: boolean | 'toggle') => {
    setOpen((prev) => {
      const on = to === 'toggle' ? !prev.has(key) : to;
      if (on === prev.has(key)) return prev;
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  }, []);
  return {
    isOpen: (key) => open.has(key),
    toggle: useCallback((key: string) => change(key, 'toggle'), [change]),
    close: useCallback((key: string) => change(key, false), [change]),
  };
}
