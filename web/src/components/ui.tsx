import type { ComponentChildren } from 'preact';

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p class="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div class="actions">{actions}</div> : null}
    </header>
  );
}

export function Card({ title, children, actions, class: cls }: { title?: string; children: ComponentChildren; actions?: ComponentChildren; class?: string }) {
  return (
    <section class={`card ${cls ?? ''}`} aria-label={title}>
      {title || actions ? (
        <div class="card-head">
          {title ? <h2>{title}</h2> : null}
          {actions ? <div class="actions">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

/** A key figure: label above, value below (the value is what tests and screen readers read), then `children` (a link). */
export function Stat({ label, value, detail, testId, children }: { label: string; value: string; detail?: string; testId?: string; children?: ComponentChildren }) {
  return (
    <div class="stat" data-testid={testId}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {detail ? <div class="stat-detail muted">{detail}</div> : null}
      {children}
    </div>
  );
}

export function Badge({ children, tone = 'neutral' }: { children: ComponentChildren; tone?: 'neutral' | 'good' | 'bad' | 'warn' | 'pii' }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** Pretty-printed JSON in a scrollable block. */
export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** Suggestions for the inputs that name it in their `list` attribute. */
export function Datalist({ id, values }: { id: string; values: readonly string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}

/**
 * A filter's select: "all" (the empty value) and then one option a value, shown as it is. The label points at the
 * select with `for`: a wrapping label would take the options' text into its name.
 */
export function FilterSelect({
  id,
  class: cls,
  label,
  all,
  values,
  value,
  onChange,
}: {
  id: string;
  class: string;
  label: string;
  all: string;
  values: readonly string[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div class={cls}>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{all}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}
