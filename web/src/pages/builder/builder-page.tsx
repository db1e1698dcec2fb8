import { useLocation, useRoute } from 'preact-iso';
import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import type { Condition } from '../../../../src/segments/ast.js';
import { parseDefinition, type ParseError } from '../../../../src/segments/parse-text.js';
import { printDefinition } from '../../../../src/segments/print-text.js';
import { ApiError, type Segment } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Datalist, PageHeader } from '../../components/ui.js';
import { common } from '../../i18n/common.js';
import { useT } from '../../i18n/i18n.js';
import './builder.css';
import { LISTS } from './condition-fields.js';
import { buildDefinition, definitionText, draftOf, sameDefinition, type Problem } from './convert.js';
import { addChild, emptyGroup, mapNode, moveNode, newLeaf, numbering, parentOf, removeNode, type GroupDraft, type NodeDraft } from './draft.js';
import { EditorContext, type EditorApi, type FocusRequest } from './editor-context.js';
import { messages } from './messages.js';
import { PreviewPanel, issuesOf, usePreview } from './preview-panel.js';
import { COMPUTED_TRAITS, KNOWN_EVENTS, KNOWN_PROPERTIES, KNOWN_TRAITS, RFM_SEGMENTS, STARTERS } from './starters.js';
import { TextForm } from './text-form.js';
import { GroupView } from './visual-editor.js';

/**
 * The segment builder (/segments/new, /segments/:id/edit): a visual editor and the text form side by side, kept in
 * step, with a live preview of the size. The visual editor edits a draft (draft.ts); each complete draft is printed
 * into the text, and each text that reads replaces the draft. Text that does not read leaves the visual editor on
 * the last valid definition.
 */
export default function BuilderPage() {
  const { params } = useRoute();
  const id = params.id;
  const q = useQuery((api) => (id ? api.segment(id) : Promise.resolve(null)), [id]);
  if (!id) return <Builder key="new" segment={null} />;
  return <Loaded q={q}>{(segment) => <Builder key={segment?.id ?? 'new'} segment={segment} />}</Loaded>;
}

function initialDefinition(segment: Segment | null): Condition | null {
  if (!segment?.text) return null;
  const r = parseDefinition(segment.text);
  return r.ok ? r.value : null;
}

function Builder({ segment }: { segment: Segment | null }) {
  const t = useT(messages);
  const tc = useT(common);
  const api = useApi();
  const { route } = useLocation();
  const manual = segment?.kind === 'manual';

  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [draft, setDraftState] = useState<GroupDraft>(() => draftOf(initialDefinition(segment)));
  const [text, setText] = useState(() => {
    const c = initialDefinition(segment);
    return c ? definitionText(c) : '';
  });
  const [textError, setTextError] = useState<ParseError | null>(null);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<{ message: string; hint?: string; code?: string } | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  const draftRef = useRef(draft);
  const built = useMemo(() => buildDefinition(draft), [draft]);
  const current = useMemo(() => (built.ast ? printDefinition(built.ast) : null), [built]);

  const segments = useQuery((a) => a.segments(), []);
  const stats = useQuery((a) => a.stats(), []);
  // The overview's most frequent events, when the server has that endpoint; the demo's events otherwise.
  const overview = useQuery((a) => a.overview().catch(() => null), []);
  const events = useMemo(() => {
    const top = overview.data?.topEvents?.map((e: { event: string }) => e.event) ?? [];
    return [...new Set([...top, ...KNOWN_EVENTS])];
  }, [overview.data]);
  const segmentNames = useMemo(() => (segments.data?.items ?? []).filter((s) => s.id !== segment?.id).map((s) => s.name), [segments.data, segment?.id]);

  const preview = usePreview(manual ? null : current);

  /** A change made in the visual editor: the text follows (when the draft is complete). */
  const changeDraft = useCallback((next: GroupDraft) => {
    draftRef.current = next;
    setDraftState(next);
    const b = buildDefinition(next);
    if (b.ast) setText(definitionText(b.ast));
    else if (b.empty) setText('');
    setTextError(null);
  }, []);

  /** A change typed in the text: the visual editor follows when it reads; the text itself is left as typed. */
  const changeText = (value: string) => {
    setText(value);
    if (value.trim() === '') {
      setTextError(null);
      if (!buildDefinition(draftRef.current).empty) {
        draftRef.current = emptyGroup();
        setDraftState(draftRef.current);
      }
      return;
    }
    const r = parseDefinition(value);
    if (!r.ok) {
      setTextError(r.error);
      return;
    }
    setTextError(null);
    // The same definition written differently (spaces, a comment): keep the draft, and the focus and fields in it.
    if (sameDefinition(buildDefinition(draftRef.current).ast, r.value)) return;
    draftRef.current = draftOf(r.value);
    setDraftState(draftRef.current);
  };

  const load = (c: Condition) => {
    const next = draftOf(c);
    changeDraft(next);
    const first = next.children[0];
    if (first) setFocus({ id: first.id, control: 'subject' });
  };

  const discardText = () => {
    setText(built.ast ? definitionText(built.ast) : '');
    setTextError(null);
  };

  const problems = useMemo(() => {
    const m = new Map<string, Problem[]>();
    for (const p of built.problems) m.set(p.nodeId, [...(m.get(p.nodeId) ?? []), p]);
    return m;
  }, [built]);

  const numbers = useMemo(() => numbering(draft), [draft]);

  /** The card a path of the definition (from the server's issues) belongs to. */
  const nodeAt = useCallback(
    (path: string): string | null => {
      const p = path === '(root)' ? '' : path;
      let best: string | null = null;
      let bestLen = -1;
      for (const [nodeId, at] of built.paths) {
        if ((at === '' || p === at || p.startsWith(`${at}.`)) && at.length > bestLen) {
          best = nodeId;
          bestLen = at.length;
        }
      }
      return best;
    },
    [built],
  );
  const groups = useMemo(() => {
    const s = new Set<string>();
    const walk = (n: NodeDraft) => {
      if (n.kind === 'group') {
        s.add(n.id);
        n.children.forEach(walk);
      }
    };
    walk(draft);
    return s;
  }, [draft]);
  const where = useCallback(
    (path: string): string | null => {
      const nodeId = nodeAt(path);
      const n = nodeId ? numbers.get(nodeId) : undefined;
      if (!nodeId || n === undefined) return null;
      return groups.has(nodeId) ? t('groupTitle', { n }) : t('conditionTitle', { n });
    },
    [nodeAt, numbers, groups, t],
  );

  const issues = useMemo(() => {
    const m = new Map<string, string[]>();
    if (preview.text === null || preview.text !== current) return m;
    for (const i of issuesOf(preview.error)) {
      const nodeId = nodeAt(i.path);
      if (nodeId) m.set(nodeId, [...(m.get(nodeId) ?? []), i.message]);
    }
    return m;
  }, [preview, current, nodeAt]);

  const editor: EditorApi = useMemo(
    () => ({
      t,
      numbers,
      problems,
      issues,
      segments: segmentNames,
      focus,
      requestFocus: setFocus,
      update: (nodeId, fn) => changeDraft(mapNode(draftRef.current, nodeId, fn)),
      remove: (nodeId) => {
        const parent = parentOf(draftRef.current, nodeId);
        changeDraft(removeNode(draftRef.current, nodeId));
        if (parent) setFocus({ id: parent.id, control: 'add' });
      },
      move: (nodeId, delta) => {
        changeDraft(moveNode(draftRef.current, nodeId, delta));
        setFocus({ id: nodeId, control: delta < 0 ? 'up,down' : 'down,up' });
      },
      add: (groupId, what) => {
        const leaf = newLeaf();
        const node: NodeDraft = what === 'leaf' ? leaf : { ...emptyGroup(), children: [leaf] };
        changeDraft(addChild(draftRef.current, groupId, node));
        setFocus({ id: leaf.id, control: 'subject' });
      },
    }),
    [t, numbers, problems, issues, segmentNames, focus, changeDraft],
  );

  const cancel = () => {
    if (window.history.length > 1) window.history.back();
    else route(segment ? `/segments/${encodeURIComponent(segment.id)}` : '/segments');
  };

  const save = async () => {
    setFormError(null);
    setNameError(null);
    setSaveError(null);
    if (name.trim() === '') {
      setNameError({ message: t('nameRequired') });
      nameRef.current?.focus();
      return;
    }
    if (!manual) {
      if (textError) return setFormError(t('saveFixText'));
      if (built.empty) return setFormError(t('saveNeedsDefinition'));
      if (!built.ast) return setFormError(t('saveIncomplete'));
    }
    setSaving(true);
    try {
      const body = { name, description, ...(manual || !built.ast ? {} : { definition: built.ast }) };
      const saved = segment ? await api.updateSegment(segment.id, body) : await api.createSegment(body);
      route(`/segments/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'segments.invalid_name' || e.code === 'segments.name_taken' || (e.path ?? '').endsWith('name'))) {
        setNameError({ message: e.message, hint: e.hint, code: e.code });
        nameRef.current?.focus();
      } else {
        setSaveError(e);
      }
    } finally {
      setSaving(false);
    }
  };

  const title = segment ? t('titleEdit', { name: segment.name }) : t('titleNew');

  return (
    <div class="builder">
      <PageHeader
        title={title}
        subtitle={manual ? undefined : t('subtitle')}
        actions={
          <>
            <button type="button" onClick={cancel}>
              {t('cancel')}
            </button>
            <button type="button" class="primary" onClick={() => void save()} disabled={saving}>
              {saving ? t('saving') : segment ? t('save') : t('create')}
            </button>
          </>
        }
      />
      {formError ? (
        <p class="error-box" role="alert">
          {formError}
        </p>
      ) : null}
      {saveError ? <ErrorBox error={saveError} /> : null}

      <section class="card details" aria-labelledby="details-title">
        <h2 id="details-title">{t('detailsTitle')}</h2>
        <div class="details-grid">
          <div class="field">
            <label for="segment-name">{t('name')}</label>
            <input
              ref={nameRef}
              id="segment-name"
              type="text"
              name="name"
              required
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'name-error' : undefined}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            {nameError ? (
              <p class="field-error" id="name-error" role="alert">
                {nameError.message}
                {nameError.hint ? ` ${nameError.hint}` : ''}
                {nameError.code ? (
                  <>
                    {' '}
                    ({tc('errorCode')}: <code>{nameError.code}</code>)
                  </>
                ) : null}
              </p>
            ) : null}
          </div>
          <div class="field">
            <label for="segment-description">{t('description')}</label>
            <textarea id="segment-description" name="description" rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </div>
        </div>
      </section>

      {manual ? (
        <p class="notice">{t('manualNotice')}</p>
      ) : (
        <div class="builder-columns">
          <section class="card visual" aria-labelledby="visual-title">
            <div class="card-head">
              <h2 id="visual-title">{t('visualTitle')}</h2>
            </div>
            {textError ? (
              <div class="notice stale-notice" data-testid="visual-stale">
                <p>{t('visualStale', { line: String(textError.line), column: String(textError.column) })}</p>
                <button type="button" class="small" onClick={discardText}>
                  {t('discardText')}
                </button>
              </div>
            ) : null}
            {built.empty && !textError ? (
              <div class="starters">
                <h3 id="starters-title">{t('startersTitle')}</h3>
                <ul aria-labelledby="starters-title">
                  {STARTERS.map((s) => (
                    <li key={s.label}>
                      <button
                        type="button"
                        class="starter"
                        onClick={() => {
                          const r = parseDefinition(s.text);
                          if (r.ok) load(r.value);
                        }}
                      >
                        {t(s.label)}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <EditorContext.Provider value={editor}>
              <fieldset class="plain" disabled={textError !== null}>
                <legend class="visually-hidden">{t('visualTitle')}</legend>
                <GroupView group={draft} root />
              </fieldset>
            </EditorContext.Provider>
          </section>
          <div class="side">
            <section class="card text" aria-labelledby="text-title">
              <div class="card-head">
                <h2 id="text-title">{t('textTitle')}</h2>
              </div>
              <TextForm text={text} error={textError} onInput={changeText} />
              {!textError && !built.empty && built.problems.length > 0 ? <p class="notice small">{t('textStale')}</p> : null}
            </section>
            <PreviewPanel state={preview} current={current} textError={textError !== null} total={stats.data?.profiles} where={where} />
          </div>
        </div>
      )}

      <Datalist id={LISTS.events} values={events} />
      <Datalist id={LISTS.traits} values={KNOWN_TRAITS} />
      <Datalist id={LISTS.properties} values={KNOWN_PROPERTIES} />
      <Datalist id={LISTS.computed} values={COMPUTED_TRAITS} />
      <Datalist id={LISTS.rfm} values={RFM_SEGMENTS} />
    </div>
  );
}
