// Each command with its reply: time taken, success or error (class and desc first), the reply as a
// collapsible tree (HMP replies as text), and copy buttons for the command in three forms.
import { useState } from 'react';
import type { Json } from '../../../protocol/qmp.ts';
import { HMP_COMMAND } from '../qemu/commands.ts';
import { Timestamp } from '../ui/timestamp.tsx';
import { JsonTree } from './json-tree.tsx';
import {
  type ComposerMode,
  formatJson,
  formatQmpShell,
  formatVirsh,
  type QmpRequest,
} from './qmp-shell-syntax.ts';
import './transcript.css';

export type Outcome =
  | { kind: 'pending' }
  | { kind: 'ok'; value: Json }
  | { kind: 'error'; errorClass: string; desc: string; explanation: string | null }
  | { kind: 'failed'; message: string };

export interface TranscriptEntry {
  id: number;
  /** What was typed. */
  line: string;
  mode: ComposerMode;
  request: QmpRequest;
  startedAt: number;
  durationMs: number | null;
  outcome: Outcome;
  /** Sent although the schema check found errors. */
  forced: boolean;
}

export function Transcript({
  vm,
  entries,
  onClear,
}: {
  vm: string;
  entries: readonly TranscriptEntry[];
  onClear: () => void;
}) {
  return (
    <section className="transcript" aria-labelledby="composer-transcript-h">
      <div className="transcript-head">
        <h3 id="composer-transcript-h">Transcript</h3>
        {entries.length ? (
          <button type="button" onClick={onClear}>
            Clear transcript
          </button>
        ) : null}
      </div>
      <div role="log" aria-label="Transcript">
        <ol className="transcript-entries">
          {entries.length === 0 ? (
            <li className="muted">Commands you run and their replies appear here.</li>
          ) : null}
          {[...entries].reverse().map((e) => (
            <Entry key={e.id} vm={vm} entry={e} />
          ))}
        </ol>
      </div>
    </section>
  );
}

function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

const STATUS_WORDS: Readonly<Record<Outcome['kind'], string>> = {
  pending: 'running…',
  ok: 'ok',
  error: 'error',
  failed: 'not answered',
};

function Entry({ vm, entry }: { vm: string; entry: TranscriptEntry }) {
  const { outcome, request } = entry;
  const hmp = request.execute === HMP_COMMAND;
  const shownLine = entry.mode === 'hmp' ? `(hmp) ${entry.line}` : entry.line;
  return (
    <li className="transcript-entry" data-outcome={outcome.kind}>
      <div className="entry-head">
        <code className="entry-command">{shownLine}</code>
        <span className="entry-status" data-outcome={outcome.kind}>
          {STATUS_WORDS[outcome.kind]}
        </span>
        {entry.durationMs !== null ? (
          <span className="muted entry-time">{formatDuration(entry.durationMs)}</span>
        ) : null}
        <Timestamp className="muted entry-time" at={entry.startedAt} />
        {entry.forced ? <span className="entry-forced">sent despite the check</span> : null}
      </div>
      <CopyButtons vm={vm} request={request} reply={outcome.kind === 'ok' ? outcome.value : null} />
      {outcome.kind === 'error' ? (
        <div className="qmp-error">
          <p>
            <strong className="error-class">{outcome.errorClass}</strong>:{' '}
            <span className="error-desc">{outcome.desc}</span>
          </p>
          {outcome.explanation ? <p className="error-explanation">{outcome.explanation}</p> : null}
        </div>
      ) : null}
      {outcome.kind === 'failed' ? <p className="qmp-error">{outcome.message}</p> : null}
      {outcome.kind === 'ok' ? (
        hmp && typeof outcome.value === 'string' ? (
          <pre className="hmp-reply">{outcome.value || '(no output)'}</pre>
        ) : isEmptyReturn(outcome.value) ? (
          <p className="muted">Done (empty reply).</p>
        ) : (
          <JsonTree value={outcome.value} label={`Reply to ${request.execute}`} />
        )
      ) : null}
    </li>
  );
}

const isEmptyReturn = (v: Json) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/** Copies text; falls back to a hidden textarea where the Clipboard API is unavailable (plain http). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // fall through
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

function CopyButtons({ vm, request, reply }: { vm: string; request: QmpRequest; reply: Json | null }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (what: string, text: string) => {
    void copyText(text).then(
      () => setCopied(what),
      () => setCopied(null),
    );
  };
  return (
    <div className="entry-copy">
      <button type="button" onClick={() => copy('JSON', formatJson(request))}>
        Copy as JSON
      </button>
      <button type="button" onClick={() => copy('qmp-shell', formatQmpShell(request))}>
        Copy as qmp-shell
      </button>
      <button type="button" onClick={() => copy('virsh', formatVirsh(request, vm))}>
        Copy as virsh
      </button>
      {reply !== null ? (
        <button
          type="button"
          onClick={() => copy('reply', typeof reply === 'string' ? reply : JSON.stringify(reply, null, 2))}
        >
          Copy reply
        </button>
      ) : null}
      <span className="muted" role="status">
        {copied ? `Copied ${copied}` : ''}
      </span>
    </div>
  );
}
