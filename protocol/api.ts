// The console's own HTTP/WebSocket contract, shared by the proxy and the SPA.
import type { JournalAlert, JournalHealth } from './journal.ts';
import type { QmpVersion } from './qmp.ts';

/** Connection state of the proxy's one upstream QMP session to a VM. */
export type VmConnectionState = 'connecting' | 'connected' | 'disconnected';

/** One entry of `GET /api/vms`. */
export interface VmSummary {
  name: string;
  /** QEMU's address syntax: `unix:PATH` or `tcp:HOST:PORT`. */
  address: string;
  state: VmConnectionState;
  /** QEMU's version, once connected (kept from the last connection while disconnected). */
  version: QmpVersion | null;
  /** ISO time of the last state change. */
  since: string;
  /** Why the VM is disconnected (or why the last attempt failed); null when connected. */
  error: string | null;
  /** The event journal's health (the same for every VM): not ok while events cannot be written. */
  journal?: JournalHealth;
  /**
   * The VM's run state as the console knows it (learned with `query-status` on connect, kept current
   * from events); null while the console has no session to the VM.
   */
  runState: VmRunState | null;
  /**
   * QEMU's jobs on the VM that still exist (block jobs included), as the console knows them: listed with
   * `query-jobs` on connect and again after each job event. Absent while the console has no session.
   */
  jobs?: VmJob[];
  /** The host console that owns the VM (fleet mode only; absent on a single host). */
  host?: string;
}

/** QEMU's `query-status`, kept by the console. */
export interface VmRunState {
  /** QEMU's RunState: `running`, `paused`, `prelaunch`, `io-error`, `guest-panicked`, ... */
  status: string;
  running: boolean;
  /** Why the state was entered when an event said so (e.g. `host-qmp-stop`, `guest-panic`, `io-error`); null otherwise. */
  reason: string | null;
  /** ISO time the state last changed (not when it was last confirmed). */
  since: string;
}

/** One of QEMU's jobs (`query-jobs`), kept by the console. */
export interface VmJob {
  id: string;
  /** QEMU's JobType: `backup`, `mirror`, `commit`, `stream`, `create`, ... */
  type: string;
  /** QEMU's JobStatus: `created`, `running`, `paused`, `ready`, `pending`, `concluded`, ... */
  status: string;
  /** Progress in the job's own units (bytes for block jobs) when the console last asked. */
  current: number;
  total: number;
  /** Why a concluded job failed or was cancelled; null otherwise. */
  error: string | null;
}

/**
 * `GET /api/stream` (SSE, operator or viewer): the console's own state as it changes. Each message's
 * SSE `event:` is its `type`; data is the JSON below. The first message of every connection is a
 * `snapshot`; after a reconnect (EventSource does it) the snapshot replaces anything held before.
 */
export type ConsoleStreamMessage =
  | { type: 'snapshot'; vms: VmSummary[]; alerts: JournalAlert[]; journal: JournalHealth }
  /** One VM's summary changed (connection, run state, version). */
  | { type: 'vm'; vm: VmSummary }
  /** An alert opened, coalesced a repeat, or was acknowledged: its state after the change. */
  | { type: 'alert'; alert: JournalAlert }
  /** The journal's health changed. */
  | { type: 'journal'; journal: JournalHealth };

export const CONSOLE_STREAM_PATH = '/api/stream';

/**
 * The id of the JSON data block (a `PageSnapshot`) in index.html: what the page would ask first, as the
 * console answered it when serving the page (only to a browser holding a token). The page paints from
 * it without waiting for those requests.
 */
export const PAGE_SNAPSHOT_ID = 'console-snapshot';

/**
 * The cookie that tells the console the theme a person chose (`light` or `dark`; none for the OS's), so
 * the page it serves is in that theme from its first frame (web/src/ui/preferences.ts keeps it).
 */
export const THEME_COOKIE = 'qmp-console-theme';

/** WebSocket path for a VM's QMP session: `/qmp/NAME`. */
export const QMP_WS_PREFIX = '/qmp/';

/**
 * WebSocket close codes the proxy uses (4000-4999 is the application range).
 * The SPA reconnects after UPSTREAM_LOST; it shows the reason for the others.
 */
export const CloseCode = {
  /** QEMU went away (killed, `quit`, socket closed); the proxy reconnects to it. */
  UPSTREAM_LOST: 4001,
  /** The client stopped reading and its buffer passed the limit. */
  SLOW_CLIENT: 4002,
  /** The console is shutting down. */
  SHUTTING_DOWN: 4003,
  /** Too many clients for this VM or in total. */
  TOO_MANY_CLIENTS: 4004,
  /** WebSocket's own "unsupported data": binary frames are refused, QMP is text. */
  UNSUPPORTED_DATA: 1003,
  /** WebSocket's own "message too big": a frame over --max-frame-bytes. */
  MESSAGE_TOO_BIG: 1009,
} as const;

/** Who a client is to the console: the main token is `operator`, `--viewer-token` is `viewer`. */
export type ConsoleRole = 'operator' | 'viewer';

/** The console's command policy (`--read-only`, `--deny`, the viewer allowlist), globs on command names. */
export interface CommandPolicyInfo {
  /** `--read-only`: every client is a viewer. */
  readOnly: boolean;
  /** `--deny` patterns: denied to every role. */
  deny: string[];
  /** What a viewer may run (`*` and `?` are wildcards); everything else is denied to viewers. */
  viewerAllow: string[];
}

/** `GET /api/session`: this client's role and the policy, so the SPA can grey out what it may not run. */
/** Bodies of `GET /api/vms` and `GET /api/session` at the time index.html was served. */
export interface PageSnapshot {
  vms: VmSummary[];
  session: SessionInfo;
  /**
   * The open alerts (`GET /api/alerts?state=open`, as the console stream's snapshot lists them); absent
   * when the console keeps no journal.
   */
  alerts?: JournalAlert[];
}

export interface SessionInfo {
  role: ConsoleRole;
  /** false when the console runs with `--no-auth` (loopback only). */
  auth: boolean;
  policy: CommandPolicyInfo;
}

/**
 * The body of a refused API request. `code` says why: `token-required` (401: no valid token; the SPA
 * asks the user to open the link printed at start), `forbidden-host`, `forbidden-origin`,
 * `viewer-read-only` (403).
 */
export interface ApiErrorBody {
  error: string;
  code?: 'token-required' | 'forbidden-host' | 'forbidden-origin' | 'viewer-read-only';
}
