import { useRoute } from 'preact-iso';
import type { Explain, ExplainNode } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { Loaded } from '../../components/feedback.js';
import { Badge, PageHeader } from '../../components/ui.js';
import { useFormat, useT, type Format, type Translate } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import './segments.css';

type T = Translate<keyof typeof messages.en>;

/** Shown by the server in place of a personal trait's value (src/segments/explain.ts). */
const PERSONAL_VALUE = '(personal data)';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** /segments/:id/explain/:profileId: the verdict, then every condition with the value it read and its truth. */
export default function ExplainPage() {
  const { id, profileId } = useRoute().params as { id: string; profileId: string };
  const t = useT(messages);
  const q = useQuery((api) => api.explain(id, profileId), [id, profileId]);
  const segmentHref = `/segments/${encodeURIComponent(id)}`;
  const profileHref = `/profiles/${encodeURIComponent(profileId)}`;
  return (
    <>
      <PageHeader
        title={t('explainPageTitle')}
        actions={
          <>
            <a class="button" href={segmentHref}>
              <span aria-hidden="true">←</span> {t('backToSegment')}
            </a>
            <a class="button" href={profileHref}>
              {t('openProfile')} <span aria-hidden="true">→</span>
            </a>
          </>
        }
      />
      <Loaded q={q}>{(x) => <Explanation x={x} profileId={profileId} />}</Loaded>
    </>
  );
}

function Explanation({ x, profileId }: { x: Explain; profileId: string }) {
  const t = useT(messages);
  const f = useFormat();
  const tree = x.tree as ExplainNode | null;
  const sentence = t(x.member ? 'verdictMemberText' : 'verdictNotMemberText', { profile: '\uE000p', segment: '\uE000s', at: f.dateTime(x.at) });
  return (
    <>
      <section class="card" aria-labelledby="verdict-title">
        <h2 id="verdict-title" class="visually-hidden">
          {x.member ? t('verdictMember') : t('verdictNotMember')}
        </h2>
        <div class="verdict" data-testid="verdict" data-member={String(x.member)}>
          <span class={`verdict-badge ${x.member ? 'yes' : 'no'}`}>
            <span aria-hidden="true">{x.member ? '✓ ' : '✗ '}</span>
            {x.member ? t('verdictMember') : t('verdictNotMember')}
          </span>
          <p>
            {/* The sentence is translated whole; the profile and segment are links placed where the language puts them. */}
            {sentence.split(/(\uE000[ps])/).map((part, i) =>
              part === '\uE000p' ? (
                <a key={i} class="mono" href={`/profiles/${encodeURIComponent(profileId)}`}>
                  {profileId}
                </a>
              ) : part === '\uE000s' ? (
                <a key={i} href={`/segments/${encodeURIComponent(x.segment.id)}`}>
                  <strong>{x.segment.name}</strong>
                </a>
              ) : (
                part
              ),
            )}
          </p>
        </div>
      </section>
      <section class="card" aria-labelledby="conditions-title">
        <div class="card-head">
          <h2 id="conditions-title">{t('conditions')}</h2>
        </div>
        {tree === null ? (
          <p>{t('manualExplain')}</p>
        ) : (
          <>
            <p class="muted">{t('treeIntro')}</p>
            <ul class="explain-tree" data-testid="explain-tree">
              <TreeNode node={tree} t={t} f={f} root />
            </ul>
          </>
        )}
      </section>
    </>
  );
}

/** Which children decide a combinator's result: those with the same truth as an or that held or an and that failed. */
function decisive(node: ExplainNode, child: ExplainNode): boolean {
  switch (node.kind) {
    case 'and':
      return node.result ? true : !child.result;
    case 'or':
      return node.result ? child.result : true;
    default:
      return true;
  }
}

function summary(node: ExplainNode, t: T): string | null {
  const children = node.children ?? [];
  const total = children.length;
  switch (node.kind) {
    case 'and': {
      const failing = children.filter((c) => !c.result).length;
      return node.result ? t('andTrue', { total }) : t.plural('andFalse', failing, { total });
    }
    case 'or': {
      const holding = children.filter((c) => c.result).length;
      return node.result ? t.plural('orTrue', holding, { total }) : t('orFalse', { total });
    }
    case 'not':
      return node.result ? t('notTrue') : t('notFalse');
    case 'for':
      return node.result ? t('forTrue') : t('forFalse');
    default:
      return null;
  }
}

function formatValue(v: unknown, f: Format, t: T) {
  if (v === PERSONAL_VALUE) return <Badge tone="pii">{t('personalData')}</Badge>;
  if (v === null || v === undefined) return <span class="muted">{t('noValue')}</span>;
  if (typeof v === 'number') return <span class="val">{f.number(v, 2)}</span>;
  if (typeof v === 'string' && ISO_TIME.test(v)) return <span class="val">{f.dateTime(v)}</span>;
  if (typeof v === 'string' && ISO_DAY.test(v)) return <span class="val">{f.day(v)}</span>;
  // Other text as the definition language writes it (double quotes), so it reads like the condition beside it.
  if (typeof v === 'string') return <span class="val">{JSON.stringify(v)}</span>;
  if (typeof v === 'boolean') return <span class="val">{String(v)}</span>;
  return <span class="val">{JSON.stringify(v)}</span>;
}

function TreeNode({ node, t, f, root, parent }: { node: ExplainNode; t: T; f: Format; root?: boolean; parent?: ExplainNode }) {
  const why = summary(node, t);
  const mark = parent && (parent.kind === 'and' || parent.kind === 'or' || parent.kind === 'not') && decisive(parent, node);
  return (
    <li class={`explain-node ${node.result ? 'is-true' : 'is-false'}`} data-testid={root ? 'explain-root' : undefined} data-result={String(node.result)} data-kind={node.kind}>
      <div class="node-line">
        <span class={`node-result ${node.result ? 'true' : 'false'}`}>
          <span aria-hidden="true">{node.result ? '✓' : '✗'}</span> {node.result ? t('resultTrue') : t('resultFalse')}
        </span>
        <code class="node-condition">{node.condition}</code>
        {'value' in node ? (
          <span class="node-value">
            {node.value === null || node.value === undefined ? (
              t('noValue')
            ) : (
              <>
                {t('value')} {formatValue(node.value, f, t)}
              </>
            )}
          </span>
        ) : null}
        {mark && parent ? <Badge tone={parent.result ? 'good' : 'bad'}>{parent.result ? t('madeTrue') : t('madeFalse')}</Badge> : null}
        {why ? <span class="node-why">{why}</span> : null}
      </div>
      {node.children && node.children.length > 0 ? (
        <ul>
          {node.children.map((c, i) => (
            <TreeNode key={i} node={c} t={t} f={f} parent={node} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
