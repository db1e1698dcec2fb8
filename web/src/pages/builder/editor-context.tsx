import { createContext, type ComponentChildren } from 'preact';
import { useContext, useLayoutEffect, useRef } from 'preact/hooks';
import type { Translate } from '../../i18n/i18n.js';
import type { Problem } from './convert.js';
import type { NodeDraft } from './draft.js';
import type { BuilderKey } from './messages.js';

/** What every card of the visual editor shares: the editing actions, numbering, focus requests, common controls. */

export interface FocusRequest {
  id: string;
  /** The `data-focus` of the control to focus inside the node; a comma-separated list gives alternatives. */
  control: string;
}

export interface EditorApi {
  t: Translate<BuilderKey>;
  numbers: Map<string, number>;
  problems: Map<string, Problem[]>;
  /** The server's issues (invalid definition), by the node they are about. */
  issues: Map<string, string[]>;
  update: (id: string, fn: (n: NodeDraft) => NodeDraft) => void;
  remove: (id: string) => void;
  move: (id: string, delta: -1 | 1) => void;
  add: (groupId: string, what: 'leaf' | 'group') => void;
  focus: FocusRequest | null;
  requestFocus: (r: FocusRequest | null) => void;
  /** Names of the existing segments, for in_segment. */
  segments: string[];
}

export const EditorContext = createContext<EditorApi | null>(null);

export function useEditor(): EditorApi {
  const ed = useContext(EditorContext);
  if (!ed) throw new Error('useEditor outside the visual editor');
  return ed;
}

/** Moves the focus to a control of this node when the editor asks (after adding, moving or converting it). */
export function useFocusTarget(id: string) {
  const ref = useRef<HTMLDivElement>(null);
  const { focus, requestFocus } = useEditor();
  // Before paint, so a keyboard user's next key press already goes to the new control.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!focus || focus.id !== id || !el) return;
    // The first of the requested controls that can take the focus (moved to the top, "up" is disabled: "down").
    // Only this node's own controls, not those of the nodes nested in it.
    const own = (selector: string) => [...el.querySelectorAll<HTMLElement>(selector)].find((x) => x.closest('.node') === el) ?? null;
    const wanted = focus.control.split(',').map((c) => own(`[data-focus="${c}"]:not(:disabled)`));
    const target = wanted.find((x) => x !== null) ?? own('[data-focus]:not(:disabled)');
    target?.focus();
    requestFocus(null);
  }, [focus, id, requestFocus]);
  return ref;
}

/** Negation, move and remove: the same on every card. */
export function NodeTools({ id, owner, first, last, removable = true, children }: { id: string; owner: string; first: boolean; last: boolean; removable?: boolean; children?: ComponentChildren }) {
  const ed = useEditor();
  const t = ed.t;
  return (
    <div class="node-tools">
      {children}
      <button type="button" class="icon" data-focus="up" aria-label={t('aUp', { owner })} title={t('up')} disabled={first} onClick={() => ed.move(id, -1)}>
        <span aria-hidden="true">↑</span>
      </button>
      <button type="button" class="icon" data-focus="down" aria-label={t('aDown', { owner })} title={t('down')} disabled={last} onClick={() => ed.move(id, 1)}>
        <span aria-hidden="true">↓</span>
      </button>
      {removable ? (
        <button type="button" class="icon danger" data-focus="remove" aria-label={t('aRemove', { owner })} title={t('remove')} onClick={() => ed.remove(id)}>
          <span aria-hidden="true">✕</span>
        </button>
      ) : null}
    </div>
  );
}

export function NegateBox({ checked, owner, onChange }: { checked: boolean; owner: string; onChange: (v: boolean) => void }) {
  const t = useEditor().t;
  return (
    <label class="negate">
      <input type="checkbox" data-focus="not" checked={checked} aria-label={t('aNegate', { owner })} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span aria-hidden="true">{t('not')}</span>
    </label>
  );
}

/** What is still missing in a node, and what the server said about it. */
export function NodeMessages({ id }: { id: string }) {
  const ed = useEditor();
  const problems = ed.problems.get(id) ?? [];
  const issues = ed.issues.get(id) ?? [];
  if (problems.length === 0 && issues.length === 0) return null;
  return (
    <ul class="node-problems">
      {problems.map((p, i) => (
        <li key={`p${i}`}>{ed.t(p.key, p.params)}</li>
      ))}
      {issues.map((m, i) => (
        <li key={`i${i}`} class="server-issue">
          {m}
        </li>
      ))}
    </ul>
  );
}

