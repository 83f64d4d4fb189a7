// The input line, keyboard first: Enter runs (Shift+Enter: new line; inside an open `transaction(` Enter
// adds the next action's line, as qmp-shell's TRANS> prompt does), Tab completes, ↑/↓ walk the history
// (or the completion list when it is open), Ctrl+R searches the history, Esc closes popups.
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { applyCandidate, type Completion, caretContext, complete, hintAt } from './completion.ts';
import type { HistoryEntry } from './composer-store.ts';
import type { DeviceCatalog } from './device-catalog.ts';
import { HistorySearch } from './history-search.tsx';
import { type ComposerMode, transactionIsOpen } from './qmp-shell-syntax.ts';
import type { Candidate, QmpSchema } from './schema.ts';

export interface CommandLineProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  mode: ComposerMode;
  schema: QmpSchema | null;
  history: readonly HistoryEntry[];
  /** A history entry was brought back (↑/↓, Ctrl+R): its mode should become the current one. */
  onRecall: (entry: HistoryEntry) => void;
  disabled?: boolean;
  /** Focus the line when this changes (after a run, a reuse, a closed dialog). */
  focusToken?: number;
  /** Commands the console's policy refuses to this session (marked in the list). */
  isRefused?: (command: string) => boolean;
  /** device_add's drivers and properties, as far as known. */
  devices?: DeviceCatalog | null;
  /** The element that says what is wrong with the line, if anything (checked while typing). */
  checkId?: string;
  /** The check found something that would stop it being sent. */
  invalid?: boolean;
}

const MAX_SHOWN = 50;

export function CommandLine(props: CommandLineProps) {
  const {
    value,
    onChange,
    onSubmit,
    mode,
    schema,
    history,
    onRecall,
    disabled,
    focusToken,
    isRefused,
    devices,
    checkId,
    invalid,
  } = props;
  const ids = useId();
  const listboxId = `${ids}-completions`;
  const hintId = `${ids}-hint`;
  const transactionId = `${ids}-transaction`;
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(value.length);
  const [popup, setPopup] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  /** The user moved through the list with the arrows: Enter then picks rather than runs, even a complete word. */
  const [navigated, setNavigated] = useState(false);
  /** Esc closed the list: Tab moves focus until the text changes. */
  const [dismissed, setDismissed] = useState(false);
  const walk = useRef<{ index: number; saved: string } | null>(null);
  const [search, setSearch] = useState<{ query: string; skip: number } | null>(null);
  const pendingCaret = useRef<number | null>(null);

  useEffect(() => {
    if (focusToken !== undefined) ref.current?.focus();
  }, [focusToken]);

  // Put the caret where a completion or recall left it, once React has rendered the new text.
  useEffect(() => {
    const el = ref.current;
    if (el && pendingCaret.current !== null) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      setCaret(pendingCaret.current);
      pendingCaret.current = null;
    }
  });

  const hint = useMemo(
    () => (schema ? hintAt(schema, value, Math.min(caret, value.length), mode, devices) : null),
    [schema, value, caret, mode, devices],
  );

  const transactionOpen = transactionIsOpen(value, mode);

  const closePopup = () => {
    setPopup(null);
    setNavigated(false);
  };

  const completionAt = (text: string, at: number): Completion | null => {
    if (!schema) return null;
    const preferred = [...new Set(history.map((h) => h.text.split(/\s/, 1)[0] ?? ''))].reverse();
    return complete(schema, text, at, { mode, preferred, devices });
  };

  // Device drivers and properties arrive after the first key presses: refresh an open list with them.
  const popupOpen = popup !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new catalog should refresh the list.
  useEffect(() => {
    const el = ref.current;
    if (!el || !devices || document.activeElement !== el) return;
    if (popupOpen || (!dismissed && value.startsWith('device_add'))) suggest(el.value, el.selectionStart);
  }, [devices]);

  /** While typing: open the list when there is something worth offering at the caret. */
  const suggest = (text: string, at: number) => {
    const c = completionAt(text, at);
    const ctx = caretContext(text, at, mode);
    const typed = ctx.kind === 'none' ? '' : text.slice(ctx.from, at);
    const only = c?.candidates.length === 1 ? c.candidates[0] : undefined;
    const pointless =
      !c ||
      c.candidates.length === 0 ||
      (only !== undefined && only.insert.trimEnd() === text.slice(c.from, c.to));
    const worth = typed.length > 0 || /[=.\s(,]$/.test(text.slice(0, at));
    if (pointless || !worth || ctx.kind === 'none') closePopup();
    else {
      setPopup(c);
      setActive(0);
      setNavigated(false);
    }
  };

  const accept = (completion: Completion, candidate: Candidate) => {
    const r = applyCandidate(value, completion, candidate);
    pendingCaret.current = r.caret;
    onChange(r.text);
    // Chain on: after `file.` or `driver=` the next list opens at once.
    suggestAfter(r.text, r.caret);
  };
  const suggestAfter = (text: string, at: number) => {
    const c = completionAt(text, at);
    if (c && c.candidates.length > 0 && /[=.]$/.test(text.slice(0, at))) {
      setPopup(c);
      setActive(0);
      setNavigated(false);
    } else closePopup();
  };

  const recall = (entry: HistoryEntry) => {
    onRecall(entry);
    onChange(entry.text);
    pendingCaret.current = entry.text.length;
    closePopup();
  };

  const caretOnFirstLine = (el: HTMLTextAreaElement) => !el.value.slice(0, el.selectionStart).includes('\n');
  const caretOnLastLine = (el: HTMLTextAreaElement) => !el.value.slice(el.selectionEnd).includes('\n');

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    const el = e.currentTarget;
    const candidates = popup?.candidates ?? [];
    const open = popup !== null && candidates.length > 0;
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      // As shells do: a half-typed word with its completion highlighted takes the completion first;
      // a word already complete (or nothing typed at the caret) runs.
      const typed = open ? value.slice(popup.from, popup.to) : '';
      const highlighted = open ? candidates[active]! : undefined;
      const halfTyped = highlighted !== undefined && typed !== '' && highlighted.insert.trimEnd() !== typed;
      if (open && (navigated || halfTyped)) accept(popup, candidates[active]!);
      else if (transactionOpen) {
        // The next action goes on its own line; a line with `)` closes the transaction and runs it.
        closePopup();
        const at = el.selectionStart;
        const next = `${value.slice(0, at)}\n${value.slice(el.selectionEnd)}`;
        pendingCaret.current = at + 1;
        onChange(next);
      } else {
        closePopup();
        walk.current = null;
        onSubmit();
      }
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      if (open) {
        e.preventDefault();
        accept(popup, candidates[active]!);
        return;
      }
      if (dismissed) return;
      const before = el.value.slice(0, el.selectionStart);
      if (!before.trim()) return; // nothing typed: Tab moves on
      const c = completionAt(el.value, el.selectionStart);
      if (!c || c.candidates.length === 0) return;
      e.preventDefault();
      if (c.candidates.length === 1) accept(c, c.candidates[0]!);
      else {
        setPopup(c);
        setActive(0);
      }
      return;
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      const c = completionAt(el.value, el.selectionStart);
      if (c?.candidates.length) {
        setPopup(c);
        setActive(0);
        setDismissed(false);
      }
      return;
    }
    if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        closePopup();
        setDismissed(true);
      }
      return;
    }
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && open) {
      e.preventDefault();
      const n = Math.min(candidates.length, MAX_SHOWN);
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : (a - 1 + n) % n));
      setNavigated(true);
      return;
    }
    if (e.key === 'ArrowUp' && caretOnFirstLine(el) && history.length > 0) {
      e.preventDefault();
      const w = walk.current;
      const index = w === null ? history.length - 1 : Math.max(0, w.index - 1);
      walk.current = { index, saved: w?.saved ?? value };
      recall(history[index]!);
      return;
    }
    if (e.key === 'ArrowDown' && caretOnLastLine(el) && walk.current !== null) {
      e.preventDefault();
      const w = walk.current;
      if (w.index + 1 >= history.length) {
        walk.current = null;
        onChange(w.saved);
        pendingCaret.current = w.saved.length;
      } else {
        walk.current = { index: w.index + 1, saved: w.saved };
        recall(history[w.index + 1]!);
      }
      return;
    }
    if (e.key === 'r' && e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      closePopup();
      setSearch({ query: '', skip: 0 });
    }
  };

  const shown = popup?.candidates.slice(0, MAX_SHOWN) ?? [];
  const optionId = (i: number) => `${ids}-opt-${i}`;
  const rows = Math.min(8, value.split('\n').length);

  return (
    <div className="command-line">
      <div className="command-input-wrap">
        <textarea
          ref={ref}
          className="command-input"
          aria-label="QMP command"
          aria-describedby={[transactionOpen ? transactionId : '', hintId, checkId ?? '']
            .filter(Boolean)
            .join(' ')}
          aria-invalid={invalid || undefined}
          aria-autocomplete="list"
          aria-controls={shown.length ? listboxId : undefined}
          aria-activedescendant={shown.length ? optionId(active) : undefined}
          rows={rows}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          disabled={disabled}
          value={value}
          placeholder={PLACEHOLDERS[mode]}
          onChange={(e) => {
            walk.current = null;
            setDismissed(false);
            onChange(e.target.value);
            setCaret(e.target.selectionStart);
            suggest(e.target.value, e.target.selectionStart);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => closePopup()}
        />
        {shown.length ? (
          <div id={listboxId} role="listbox" aria-label="Completions" className="completions">
            {shown.map((c, i) => (
              <div
                key={`${c.kind}:${c.insert}`}
                id={optionId(i)}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                className="completion"
                data-deprecated={c.deprecated || undefined}
                data-unstable={c.unstable || undefined}
                onMouseDown={(e) => {
                  e.preventDefault(); // keep the focus in the line
                  if (popup) accept(popup, c);
                }}
              >
                <span className="completion-label">{c.label}</span>
                {c.required ? <span className="completion-flag">required</span> : null}
                {c.deprecated ? <span className="completion-flag">deprecated</span> : null}
                {c.unstable ? <span className="completion-flag">unstable</span> : null}
                {c.kind === 'command' && isRefused?.(c.insert) ? (
                  <span className="completion-flag">not allowed</span>
                ) : null}
                <span className="completion-detail">{c.detail}</span>
              </div>
            ))}
            {popup && popup.candidates.length > MAX_SHOWN ? (
              <div className="completion muted">{popup.candidates.length - MAX_SHOWN} more: keep typing</div>
            ) : null}
          </div>
        ) : null}
      </div>
      {search ? (
        <HistorySearch
          history={history}
          search={search}
          onSearch={setSearch}
          onPick={(entry) => {
            setSearch(null);
            recall(entry);
            ref.current?.focus();
          }}
          onCancel={() => {
            setSearch(null);
            ref.current?.focus();
          }}
        />
      ) : null}
      {transactionOpen ? (
        <p id={transactionId} className="transaction-open">
          <span className="badge">TRANS&gt;</span> Transaction open: one action per line, Enter adds a line; a
          line with ) closes it and runs it.
        </p>
      ) : null}
      <p id={hintId} className="command-hint">
        {mode === 'hmp' ? (
          'HMP: a human monitor command line, e.g. info status; the reply is text.'
        ) : hint?.signature || hint?.current ? (
          <>
            {hint.signature ? <code className="hint-signature">{hint.signature}</code> : null}
            {hint.current ? <span className="hint-current">{hint.current}</span> : null}
          </>
        ) : mode === 'json' ? (
          'JSON: a whole command, {"execute": "…", "arguments": {…}}. Shift+Enter for a new line.'
        ) : schema ? (
          'COMMAND key=value …  ·  Tab completes, ↑/↓ history, Ctrl+R searches it, Enter runs.'
        ) : (
          'COMMAND key=value …  ·  Enter runs. (Completion comes with the schema, once connected.)'
        )}
      </p>
    </div>
  );
}

const PLACEHOLDERS: Readonly<Record<ComposerMode, string>> = {
  'qmp-shell': 'query-status',
  json: '{"execute": "query-status"}',
  hmp: 'info status',
};
