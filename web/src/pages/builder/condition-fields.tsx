import type { ComponentChildren } from 'preact';
import {
  AGGREGATE_FNS,
  OCCURRENCE_FNS,
  RFM_FIELDS,
  SUBJECTS,
  UNITS,
  VALUE_TYPES,
  WINDOW_KINDS,
  fixedType,
  newFilter,
  oneOf,
  opsFor,
  valueCount,
  withOp,
  withRfmField,
  withSubject,
  type DurDraft,
  type FilterDraft,
  type LeafDraft,
  type Op,
  type TestDraft,
  type ValueType,
  type WhereDraft,
  type WindowDraft,
} from './draft.js';
import { leafText } from './convert.js';
import type { BuilderKey } from './messages.js';
import { NegateBox, NodeMessages, NodeTools, useEditor, useFocusTarget } from './editor-context.js';

/** The datalists of the page (builder-page.tsx): suggestions, never a restriction. */
export const LISTS = { events: 'builder-events', traits: 'builder-traits', properties: 'builder-properties', computed: 'builder-computed', rfm: 'builder-rfm' };

/** A caption above a control; the control's own aria-label starts with the caption and names its condition. */
function Mini({ caption, children }: { caption: string; children: ComponentChildren }) {
  return (
    <div class="mini">
      <span class="mini-caption" aria-hidden="true">
        {caption}
      </span>
      {children}
    </div>
  );
}

const PLAIN_DAY = /^\d{4}-\d{2}-\d{2}$/;

function ValueInput({ type, value, label, list, onInput, focus }: { type: ValueType; value: string; label: string; list?: string | undefined; onInput: (v: string) => void; focus?: string }) {
  const t = useEditor().t;
  if (type === 'boolean') {
    return (
      <select aria-label={label} data-focus={focus} value={value} onChange={(e) => onInput(e.currentTarget.value)}>
        <option value="true">{t('valueTrue')}</option>
        <option value="false">{t('valueFalse')}</option>
      </select>
    );
  }
  if (type === 'date') {
    // A date picker for plain days; a date with a time of day (from the text form) stays editable as text.
    if (value === '' || PLAIN_DAY.test(value)) {
      return <input type="date" class="date" aria-label={label} data-focus={focus} value={value} onInput={(e) => onInput(e.currentTarget.value)} />;
    }
    return <input type="text" class="date" aria-label={label} data-focus={focus} value={value} onInput={(e) => onInput(e.currentTarget.value)} />;
  }
  return (
    <input
      type="text"
      class={type === 'number' ? 'number' : 'value'}
      inputMode={type === 'number' ? 'decimal' : undefined}
      list={type === 'string' ? list : undefined}
      aria-label={label}
      data-focus={focus}
      value={value}
      onInput={(e) => onInput(e.currentTarget.value)}
    />
  );
}

function DurationFields({ d, onChange, valueLabel, unitLabel }: { d: DurDraft; onChange: (d: DurDraft) => void; valueLabel: string; unitLabel: string }) {
  const t = useEditor().t;
  return (
    <span class="duration">
      <input type="text" class="number short" inputMode="numeric" aria-label={valueLabel} value={d.value} onInput={(e) => onChange({ ...d, value: e.currentTarget.value })} />
      <select aria-label={unitLabel} value={d.unit} onChange={(e) => onChange({ ...d, unit: oneOf(UNITS, e.currentTarget.value, d.unit) })}>
        {UNITS.map((u) => (
          <option key={u} value={u}>
            {t(`unit_${u}`)}
          </option>
        ))}
      </select>
    </span>
  );
}

/** Operator and value(s) of a comparison. */
function TestFields({
  test,
  onChange,
  ops,
  fixed,
  owner,
  time = false,
  list,
}: {
  test: TestDraft;
  onChange: (t: TestDraft) => void;
  ops: readonly Op[];
  fixed: ValueType | null;
  owner: string;
  time?: boolean;
  list?: string | undefined;
}) {
  const t = useEditor().t;
  const a = (k: BuilderKey, extra: Record<string, string | number> = {}) => t(k, { owner, ...extra });
  const type = fixed ?? test.type;
  const count = valueCount(test.op);
  // Times read "before", "after", "within the last"; the other operators have one label for every operand.
  const opLabel = (o: Op) => (time && o !== 'in' && o !== 'contains' && o !== 'starts_with' ? t(`time_${o}`) : t(`op_${o}`));
  const setValue = (i: number, v: string) => onChange({ ...test, values: test.values.map((x, j) => (j === i ? v : x)) });
  const setType = (next: ValueType) => {
    const values = next === 'boolean' ? test.values.map((v) => (v === 'false' ? 'false' : 'true')) : test.values;
    onChange({ ...test, type: next, values });
  };
  return (
    <span class="test">
      <select aria-label={a('aOp')} data-focus="op" value={test.op} onChange={(e) => onChange(withOp(test, oneOf(ops, e.currentTarget.value, test.op)))}>
        {ops.map((o) => (
          <option key={o} value={o}>
            {opLabel(o)}
          </option>
        ))}
      </select>
      {fixed === null && count !== 0 ? (
        <select aria-label={a('aType')} class="type" value={test.type} onChange={(e) => setType(oneOf(VALUE_TYPES, e.currentTarget.value, test.type))}>
          {VALUE_TYPES.filter((v) => (test.op === 'contains' || test.op === 'starts_with' ? v === 'string' : true)).map((v) => (
            <option key={v} value={v}>
              {t(`type_${v}`)}
            </option>
          ))}
        </select>
      ) : null}
      {count === 1 ? <ValueInput type={type} value={test.values[0] ?? ''} label={a('aValue')} list={list} onInput={(v) => setValue(0, v)} /> : null}
      {count === 2 ? (
        <>
          <ValueInput type={type} value={test.values[0] ?? ''} label={a('aLow')} list={list} onInput={(v) => setValue(0, v)} />
          <span class="word">{t('and')}</span>
          <ValueInput type={type} value={test.values[1] ?? ''} label={a('aHigh')} list={list} onInput={(v) => setValue(1, v)} />
        </>
      ) : null}
      {count === null ? (
        <span class="value-list">
          {test.values.map((v, i) => (
            <span class="value-item" key={i}>
              <ValueInput type={type} value={v} label={a('aItem', { i: i + 1 })} list={list} onInput={(x) => setValue(i, x)} />
              <button
                type="button"
                class="icon"
                aria-label={a('aRemoveItem', { i: i + 1 })}
                disabled={test.values.length === 1}
                onClick={() => onChange({ ...test, values: test.values.filter((_, j) => j !== i) })}
              >
                <span aria-hidden="true">✕</span>
              </button>
            </span>
          ))}
          <button type="button" class="small" aria-label={a('aAddItem')} onClick={() => onChange({ ...test, values: [...test.values, type === 'boolean' ? 'true' : ''] })}>
            {t('addValue')}
          </button>
        </span>
      ) : null}
      {test.op === 'within' ? <DurationFields d={test.duration} onChange={(duration) => onChange({ ...test, duration })} valueLabel={a('aDuration')} unitLabel={a('aUnit')} /> : null}
    </span>
  );
}

function WindowFields({ w, owner, onChange }: { w: WindowDraft; owner: string; onChange: (w: WindowDraft) => void }) {
  const t = useEditor().t;
  const a = (k: BuilderKey) => t(k, { owner });
  return (
    <div class="row">
      <Mini caption={t('captionWindow')}>
        <span class="inline-fields">
          <select aria-label={a('aWindow')} value={w.kind} onChange={(e) => onChange({ ...w, kind: oneOf(WINDOW_KINDS, e.currentTarget.value, w.kind) })}>
            {WINDOW_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`window_${k}`)}
              </option>
            ))}
          </select>
          {w.kind === 'rolling' ? <DurationFields d={w.duration} onChange={(duration) => onChange({ ...w, duration })} valueLabel={a('aWindowLength')} unitLabel={a('aWindowUnit')} /> : null}
        </span>
      </Mini>
      {w.kind === 'absolute' ? (
        <>
          <Mini caption={t('captionFrom')}>
            <ValueInput type="date" value={w.from} label={a('aFrom')} onInput={(from) => onChange({ ...w, from })} />
          </Mini>
          <Mini caption={t('captionTo')}>
            <ValueInput type="date" value={w.to} label={a('aTo')} onInput={(to) => onChange({ ...w, to })} />
          </Mini>
        </>
      ) : null}
    </div>
  );
}

function WhereFields({ where, n, owner, onChange }: { where: WhereDraft; n: number; owner: string; onChange: (w: WhereDraft) => void }) {
  const t = useEditor().t;
  if (where.mode === 'text') {
    return (
      <div class="filters">
        <Mini caption={t('captionFilters')}>
          <input type="text" class="mono wide" aria-label={t('aWhereText', { owner })} value={where.text} onInput={(e) => onChange({ mode: 'text', text: e.currentTarget.value })} />
        </Mini>
      </div>
    );
  }
  const setRow = (id: string, f: (r: FilterDraft) => FilterDraft) => onChange({ mode: 'rows', rows: where.rows.map((r) => (r.id === id ? f(r) : r)) });
  return (
    <div class="filters">
      {where.rows.length > 0 ? <div class="mini-caption">{t('captionFilters')}</div> : null}
      {where.rows.map((r, i) => {
        const fowner = t('ownerFilter', { f: i + 1, n });
        return (
          <div class="filter-row" key={r.id}>
            <span class="word" aria-hidden="true">
              {i > 0 ? t('and') : ''}
            </span>
            <input
              type="text"
              class="key"
              list={LISTS.properties}
              placeholder="category"
              aria-label={t('aProperty', { owner: fowner })}
              value={r.path}
              onInput={(e) => {
                const path = e.currentTarget.value;
                setRow(r.id, (x) => ({ ...x, path }));
              }}
            />
            <TestFields test={r.test} ops={opsFor('filter')} fixed={null} owner={fowner} onChange={(test) => setRow(r.id, (x) => ({ ...x, test }))} />
            <button type="button" class="icon danger" aria-label={t('aRemove', { owner: fowner })} onClick={() => onChange({ mode: 'rows', rows: where.rows.filter((x) => x.id !== r.id) })}>
              <span aria-hidden="true">✕</span>
            </button>
          </div>
        );
      })}
      <button type="button" class="small" aria-label={t('aAddFilter', { owner })} onClick={() => onChange({ mode: 'rows', rows: [...where.rows, newFilter()] })}>
        {t('addFilter')}
      </button>
    </div>
  );
}

/** One condition as a form: what it looks at (a trait, events, a score, a segment...) and its test. */
export function LeafView({ leaf, first, last }: { leaf: LeafDraft; first: boolean; last: boolean }) {
  const ed = useEditor();
  const t = ed.t;
  const n = ed.numbers.get(leaf.id) ?? 0;
  const owner = t('ownerCondition', { n });
  const a = (k: BuilderKey) => t(k, { owner });
  const ref = useFocusTarget(leaf.id);
  const setLeaf = (f: (l: LeafDraft) => LeafDraft) => ed.update(leaf.id, (x) => (x.kind === 'leaf' ? f(x) : x));
  const set = (patch: Partial<LeafDraft>) => setLeaf((l) => ({ ...l, ...patch }));
  const bad = (ed.problems.get(leaf.id)?.length ?? 0) > 0 || (ed.issues.get(leaf.id)?.length ?? 0) > 0;
  const text = leafText(leaf);
  const test = (props: { list?: string; time?: boolean } = {}) => (
    <TestFields test={leaf.test} ops={opsFor(leaf)} fixed={fixedType(leaf)} owner={owner} onChange={(test) => set({ test })} {...props} />
  );

  let body: ComponentChildren;
  switch (leaf.subject) {
    case 'trait':
      body = (
        <>
          <div class="row">
            <Mini caption={t('captionTrait')}>
              <input type="text" class="key" list={LISTS.traits} placeholder="region" aria-label={a('aTrait')} value={leaf.key} onInput={(e) => set({ key: e.currentTarget.value })} />
            </Mini>
            {test()}
          </div>
          <div class="row held">
            <label class="check">
              <input type="checkbox" aria-label={a('aHeld')} checked={leaf.held !== null} onChange={(e) => set({ held: e.currentTarget.checked ? { value: '30', unit: 'd' } : null })} />
              <span aria-hidden="true">{t('heldFor')}</span>
            </label>
            {leaf.held ? <DurationFields d={leaf.held} onChange={(held) => set({ held })} valueLabel={a('aHeldValue')} unitLabel={a('aHeldUnit')} /> : null}
          </div>
        </>
      );
      break;
    case 'aggregate':
    case 'occurrence':
      body = (
        <>
          <div class="row">
            {leaf.subject === 'aggregate' ? (
              <select aria-label={a('aFn')} class="fn" value={leaf.fn} onChange={(e) => set({ fn: oneOf(AGGREGATE_FNS, e.currentTarget.value, leaf.fn) })}>
                {AGGREGATE_FNS.map((f) => (
                  <option key={f} value={f}>
                    {t(`fn_${f}`)}
                  </option>
                ))}
              </select>
            ) : (
              <select aria-label={a('aOcc')} class="fn" value={leaf.occ} onChange={(e) => set({ occ: oneOf(OCCURRENCE_FNS, e.currentTarget.value, leaf.occ) })}>
                <option value="first">{t('occ_first')}</option>
                <option value="last">{t('occ_last')}</option>
              </select>
            )}
            {leaf.subject === 'aggregate' && leaf.fn !== 'count' ? (
              <Mini caption={t('captionProperty')}>
                <input type="text" class="key" list={LISTS.properties} placeholder="revenue" aria-label={a('aProperty')} value={leaf.property} onInput={(e) => set({ property: e.currentTarget.value })} />
              </Mini>
            ) : null}
            <Mini caption={t('captionEvent')}>
              <input type="text" class="event" list={LISTS.events} placeholder={t('anyEvent')} aria-label={a('aEvent')} value={leaf.event} onInput={(e) => set({ event: e.currentTarget.value })} />
            </Mini>
          </div>
          <WindowFields w={leaf.window} owner={owner} onChange={(window) => set({ window })} />
          <WhereFields where={leaf.where} n={n} owner={owner} onChange={(where) => set({ where })} />
          <div class="row">{test({ time: leaf.subject === 'occurrence' })}</div>
        </>
      );
      break;
    case 'score':
      body = (
        <div class="row">
          <span class="word">{t('engagementScore')}</span>
          {test()}
        </div>
      );
      break;
    case 'rfm':
      body = (
        <div class="row">
          <select aria-label={a('aRfm')} value={leaf.rfm} onChange={(e) => {
              const field = oneOf(RFM_FIELDS, e.currentTarget.value, leaf.rfm);
              setLeaf((l) => withRfmField(l, field));
            }}>
            {RFM_FIELDS.map((f) => (
              <option key={f} value={f}>
                {t(`rfm_${f}`)}
              </option>
            ))}
          </select>
          {test({ list: LISTS.rfm })}
        </div>
      );
      break;
    case 'computed':
      body = (
        <div class="row">
          <Mini caption={t('captionComputed')}>
            <input type="text" class="key" list={LISTS.computed} aria-label={a('aComputed')} value={leaf.computed} onInput={(e) => set({ computed: e.currentTarget.value })} />
          </Mini>
          {test()}
        </div>
      );
      break;
    case 'segment': {
      const names = ed.segments.includes(leaf.segment) || leaf.segment === '' ? ed.segments : [leaf.segment, ...ed.segments];
      body = (
        <div class="row">
          <Mini caption={t('captionSegment')}>
            <select aria-label={a('aSegment')} value={leaf.segment} onChange={(e) => set({ segment: e.currentTarget.value })}>
              <option value="">{t('chooseSegment')}</option>
              {names.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Mini>
        </div>
      );
      break;
    }
    case 'bucket':
      body = (
        <div class="row">
          <Mini caption={t('captionPercent')}>
            <span class="inline-fields">
              <input type="text" class="number short" inputMode="decimal" aria-label={a('aPercent')} value={leaf.percent} onInput={(e) => set({ percent: e.currentTarget.value })} />
              <span aria-hidden="true">%</span>
            </span>
          </Mini>
          <Mini caption={t('captionSeed')}>
            <input type="text" class="key" aria-label={a('aSeed')} value={leaf.seed} onInput={(e) => set({ seed: e.currentTarget.value })} />
          </Mini>
        </div>
      );
      break;
  }

  return (
    <div ref={ref} class={`node leaf${leaf.negated ? ' negated' : ''}${bad ? ' has-problem' : ''}`} role="group" aria-labelledby={`${leaf.id}-title`}>
      <div class="node-head">
        <span class="node-title" id={`${leaf.id}-title`}>
          {t('conditionTitle', { n })}
        </span>
        <NegateBox checked={leaf.negated} owner={owner} onChange={(negated) => set({ negated })} />
        <select class="subject" data-focus="subject" aria-label={a('aKind')} value={leaf.subject} onChange={(e) => {
            const subject = oneOf(SUBJECTS, e.currentTarget.value, leaf.subject);
            setLeaf((l) => withSubject(l, subject));
          }}>
          {SUBJECTS.map((s) => (
            <option key={s} value={s}>
              {t(`subject_${s}`)}
            </option>
          ))}
        </select>
        <NodeTools id={leaf.id} owner={owner} first={first} last={last}>
          <button
            type="button"
            class="small"
            aria-label={a('aAsText')}
            disabled={text === null}
            onClick={() => {
              if (text === null) return;
              ed.update(leaf.id, () => ({ id: leaf.id, kind: 'text', text }));
              ed.requestFocus({ id: leaf.id, control: 'text' });
            }}
          >
            {t('asText')}
          </button>
        </NodeTools>
      </div>
      <div class="node-body">{body}</div>
      <NodeMessages id={leaf.id} />
    </div>
  );
}
