import { useEffect, useRef } from 'preact/hooks';
import { common } from '../i18n/common.js';
import { useT } from '../i18n/i18n.js';

/**
 * Previous / next buttons over an offset-paged list. With `always`, the buttons show on a single page too (disabled),
 * so a toolbar keeps its layout while the list grows.
 */
export function OffsetPager({
  offset,
  total,
  pageSize,
  onChange,
  always = false,
}: {
  offset: number;
  total: number;
  pageSize: number;
  onChange: (offset: number) => void;
  always?: boolean;
}) {
  const tc = useT(common);
  if (!always && total <= pageSize) return null;
  return (
    <>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - pageSize))}>
        {tc('previous')}
      </button>
      <button type="button" disabled={offset + pageSize >= total} onClick={() => onChange(offset + pageSize)}>
        {tc('next')}
      </button>
    </>
  );
}

/** A <dialog> shown as a modal while `open` holds, closed when it stops; `onOpen` runs each time it opens. */
export function useModalDialog(open: boolean, onOpen?: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      onOpen?.();
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  return ref;
}
