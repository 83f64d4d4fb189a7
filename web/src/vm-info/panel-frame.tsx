// What every VM-info panel has: a heading, loading / error / "not available" states, when it was last
// refreshed, a Refresh button and the raw JSON of QEMU's replies.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { QmpError } from '../qmp/qmp-errors.ts';
import { QueryError } from '../ui/query-error.tsx';
import { Timestamp } from '../ui/timestamp.tsx';
import type { Availability } from './capabilities.ts';

export interface PanelSource {
  /** The QMP command (shown in "not available" and as the raw JSON key). */
  command: string;
  query: UseQueryResult<unknown, Error>;
  /** From `query-commands`. */
  available: Availability;
  /** The panel shows this source's absence and errors itself (e.g. balloon's `DeviceNotActive`). */
  optional?: boolean;
  /** What failing means, for the error: "Could not read the run state" (default: "COMMAND failed"). */
  what?: string;
}

export interface PanelFrameProps {
  /** Also the section's `id`. */
  id: string;
  title: string;
  sources: readonly PanelSource[];
  /** The VM's QMP client is ready (or whatever `waitingFor` names). */
  connected: boolean;
  /** What the panel waits for while not connected (default: this tab's QMP connection). */
  waitingFor?: string;
  /** "not available" only when every source is missing (the panel copes with some missing). */
  anyOf?: boolean;
  /** Extra controls next to Refresh. */
  toolbar?: ReactNode;
  /** What Refresh does, when it is more than refetching the sources. */
  onRefresh?: () => void;
  /** Rendered once every required source has data. */
  children: () => ReactNode;
}

/** The QMP reply as it came: `{"return": ...}` or `{"error": {"class", "desc"}}`. */
export function rawReply(query: UseQueryResult<unknown, Error>): unknown {
  if (query.isError && !query.isFetching) {
    const e = query.error;
    return e instanceof QmpError ? { error: { class: e.errorClass, desc: e.desc } } : { error: e.message };
  }
  if (query.data !== undefined) return { return: query.data };
  return null;
}

export function PanelFrame({
  id,
  title,
  sources,
  connected,
  waitingFor = 'the QMP connection',
  anyOf,
  toolbar,
  onRefresh,
  children,
}: PanelFrameProps) {
  const required = sources.filter((s) => !s.optional);
  const missing = required.filter((s) => s.available === false);
  const notAvailable = anyOf ? required.length > 0 && missing.length === required.length : missing.length > 0;
  const present = sources.filter((s) => s.available !== false);
  const waiting = present.some((s) => s.query.data === undefined && (!s.query.isError || s.query.isFetching));
  const failed = required.filter((s) => s.available !== false && s.query.isError && !s.query.isFetching);
  const ready = required.every((s) => s.available === false || s.query.data !== undefined);
  // The last answer QEMU gave: a failed try (not connected, a QMP error) refreshes nothing.
  const refreshedAt = Math.max(0, ...sources.map((s) => s.query.dataUpdatedAt));
  const headingId = `${id}-heading`;

  let body: ReactNode;
  if (notAvailable) {
    body = (
      <p className="notice notice-info">
        Not available: this QEMU has no{' '}
        {missing.map((s, i) => (
          <span key={s.command}>
            {i > 0 ? ' or ' : null}
            <code>{s.command}</code>
          </span>
        ))}{' '}
        command.
      </p>
    );
  } else if (!connected && !ready) {
    body = <p className="muted">Waiting for {waitingFor}…</p>;
  } else if (waiting && !ready) {
    body = <p className="muted">Loading {title.toLowerCase()}…</p>;
  } else {
    body = (
      <>
        {failed.map((s) => (
          <QueryError
            key={s.command}
            what={
              s.query.data === undefined
                ? (s.what ?? `${s.command} failed`)
                : `Could not refresh ${s.command}, showing the last answer`
            }
            error={s.query.error}
            onRetry={connected ? () => void s.query.refetch() : undefined}
          />
        ))}
        {ready ? children() : null}
        {ready && !connected ? <p className="muted">Last known state; not connected.</p> : null}
      </>
    );
  }

  const raw =
    sources.length === 1
      ? rawReply(sources[0]!.query)
      : Object.fromEntries(present.map((s) => [s.command, rawReply(s.query)]));

  return (
    <section id={id} className="panel" aria-labelledby={headingId} aria-busy={waiting || undefined}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        <div className="panel-tools">
          {refreshedAt > 0 ? (
            <span className="muted panel-refreshed">
              Last refreshed <Timestamp at={refreshedAt} />
            </span>
          ) : null}
          {toolbar}
          {!notAvailable ? (
            <button
              type="button"
              aria-label={`Refresh ${title}`}
              disabled={!connected}
              onClick={() => {
                if (onRefresh) onRefresh();
                else for (const s of present) void s.query.refetch();
              }}
            >
              Refresh
            </button>
          ) : null}
        </div>
      </div>
      {body}
      {!notAvailable && raw !== null ? (
        <details className="raw-json">
          <summary>Raw JSON</summary>
          {/* Focusable so a keyboard can scroll it. */}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
          <pre tabIndex={0}>{JSON.stringify(raw, null, 2)}</pre>
        </details>
      ) : null}
    </section>
  );
}
