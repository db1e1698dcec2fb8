import { LeafView } from './condition-fields.js';
import { formOf } from './convert.js';
import { JUNCTIONS, oneOf, type GroupDraft, type NodeDraft, type TextDraft } from './draft.js';
import { NegateBox, NodeMessages, NodeTools, useEditor, useFocusTarget } from './editor-context.js';

/**
 * The visual editor: groups (all/any, negated, nested) of conditions, each with its own form (condition-fields.tsx)
 * or, for what the form cannot show, a small text box. Every control's label names its condition ("Operator for
 * condition 2"); the numbers follow the reading order and are the ones shown on the cards.
 */

function TextNodeView({ node, first, last }: { node: TextDraft; first: boolean; last: boolean }) {
  const ed = useEditor();
  const t = ed.t;
  const n = ed.numbers.get(node.id) ?? 0;
  const owner = t('ownerCondition', { n });
  const ref = useFocusTarget(node.id);
  const form = formOf(node.text);
  const bad = (ed.problems.get(node.id)?.length ?? 0) > 0;
  return (
    <div ref={ref} class={`node leaf text-node${bad ? ' has-problem' : ''}`} role="group" aria-labelledby={`${node.id}-title`}>
      <div class="node-head">
        <span class="node-title" id={`${node.id}-title`}>
          {t('conditionTitle', { n })}
        </span>
        <span class="muted small">{t('captionText')}</span>
        <NodeTools id={node.id} owner={owner} first={first} last={last}>
          <button
            type="button"
            class="small"
            aria-label={t('aAsForm', { owner })}
            disabled={!form}
            onClick={() => {
              if (!form) return;
              ed.update(node.id, () => ({ ...form, id: node.id }));
              ed.requestFocus({ id: node.id, control: form.kind === 'group' ? 'combine' : 'subject' });
            }}
          >
            {t('asForm')}
          </button>
        </NodeTools>
      </div>
      <textarea
        class="node-text"
        data-focus="text"
        rows={2}
        spellcheck={false}
        aria-label={t('aText', { owner })}
        aria-invalid={bad}
        value={node.text}
        onInput={(e) => {
          const text = e.currentTarget.value;
          ed.update(node.id, (x) => (x.kind === 'text' ? { ...x, text } : x));
        }}
      />
      <NodeMessages id={node.id} />
    </div>
  );
}

function NodeView({ node, first, last }: { node: NodeDraft; first: boolean; last: boolean }) {
  if (node.kind === 'group') return <GroupView group={node} first={first} last={last} />;
  if (node.kind === 'text') return <TextNodeView node={node} first={first} last={last} />;
  return <LeafView leaf={node} first={first} last={last} />;
}

export function GroupView({ group, root = false, first = true, last = true }: { group: GroupDraft; root?: boolean; first?: boolean; last?: boolean }) {
  const ed = useEditor();
  const t = ed.t;
  const n = ed.numbers.get(group.id) ?? 0;
  const owner = t('ownerGroup', { n });
  const ref = useFocusTarget(group.id);
  const set = (patch: Partial<GroupDraft>) => ed.update(group.id, (x) => (x.kind === 'group' ? { ...x, ...patch } : x));
  const problems = (ed.problems.get(group.id)?.length ?? 0) > 0;
  return (
    <div
      ref={ref}
      class={`node group${root ? ' root' : ''}${group.negated ? ' negated' : ''}${problems ? ' has-problem' : ''}`}
      role="group"
      aria-labelledby={`${group.id}-title`}
    >
      <div class="node-head">
        <span class="node-title" id={`${group.id}-title`}>
          {t('groupTitle', { n })}
        </span>
        <NegateBox checked={group.negated} owner={owner} onChange={(negated) => set({ negated })} />
        <label class="inline">
          <span>{t('match')}</span>
          <select data-focus="combine" aria-label={t('aCombine', { owner })} value={group.op} onChange={(e) => set({ op: oneOf(JUNCTIONS, e.currentTarget.value, group.op) })}>
            <option value="and">{t('combineAnd')}</option>
            <option value="or">{t('combineOr')}</option>
          </select>
        </label>
        {root ? null : <NodeTools id={group.id} owner={owner} first={first} last={last} />}
      </div>
      {group.children.length > 0 ? (
        <ol class="children">
          {group.children.map((c, i) => (
            <li key={c.id}>
              {i > 0 ? (
                <div class="connector" aria-hidden="true">
                  {t(group.op)}
                </div>
              ) : null}
              <NodeView node={c} first={i === 0} last={i === group.children.length - 1} />
            </li>
          ))}
        </ol>
      ) : root ? (
        <p class="muted empty-definition">{t('emptyDefinition')}</p>
      ) : null}
      {root ? null : <NodeMessages id={group.id} />}
      <div class="group-actions">
        <button type="button" data-focus="add" aria-label={t('aAddCondition', { owner })} onClick={() => ed.add(group.id, 'leaf')}>
          {t('addCondition')}
        </button>
        <button type="button" aria-label={t('aAddGroup', { owner })} onClick={() => ed.add(group.id, 'group')}>
          {t('addGroup')}
        </button>
      </div>
    </div>
  );
}
