// Refused commands are counted, not each recorded. A client can send refusals as fast as it can write,
// and one audit record (and log line) each would let a viewer push the operator's records out of the
// audit trail under retention, fill the disk and flood the log. Per VM and role, the first refusal of
// a window is recorded whole; the rest of that window becomes one summary record with their count,
// written when the window ends. The counters (qmp_commands_refused_total) still see every refusal.
import type { CommandRecord } from '../../protocol/journal.ts';
import type { CommandListener } from './audit.ts';

/** How long one window of refusals lasts: at most two audit records per VM and role in it. */
export const REFUSAL_WINDOW_MS = 10_000;

/** Distinct command names and client addresses a summary names; the rest are counted. */
const NAMED = 8;

interface Window {
  started: number;
  timer: NodeJS.Timeout | null;
  /** Refusals after the first, waiting for the summary. */
  count: number;
  first: CommandRecord | null;
  commands: Set<string>;
  moreCommands: boolean;
  remotes: Set<string>;
  moreRemotes: number;
}

export interface RefusalSummary {
  /** Pass every record here: refusals are thinned, everything else goes straight through. */
  readonly listener: CommandListener;
  /** Windows open now (one per VM and role that refused something in the last window). */
  readonly openWindows: number;
  /** Writes every waiting summary now (the console stopping). */
  flush(): void;
}

export function summarizeRefusals(
  downstream: CommandListener,
  options: { windowMs?: number; now?: () => number } = {},
): RefusalSummary {
  const windowMs = options.windowMs ?? REFUSAL_WINDOW_MS;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();

  const close = (key: string, w: Window) => {
    if (w.timer) clearTimeout(w.timer);
    windows.delete(key);
    if (w.count === 0 || !w.first) return;
    const first = w.first;
    const remotes = [...w.remotes];
    downstream({
      vm: first.vm,
      context: {
        role: first.context.role,
        remoteAddress: `${remotes.join(', ')}${w.moreRemotes > 0 ? ` and ${w.moreRemotes} more refusals from others` : ''}`,
      },
      command: `${[...w.commands].join(', ')}${w.moreCommands ? ', ...' : ''}`,
      argumentNames: [],
      outcome: 'denied',
      ...(first.errorClass ? { errorClass: first.errorClass } : {}),
      ...(first.refusal ? { refusal: first.refusal } : {}),
      count: w.count,
    });
  };

  const listener: CommandListener = (record) => {
    if (record.outcome !== 'denied') {
      downstream(record);
      return;
    }
    const key = `${record.vm}\u0000${record.context.role}`;
    const t = now();
    let w = windows.get(key);
    if (w && t - w.started >= windowMs) {
      close(key, w);
      w = undefined;
    }
    if (!w) {
      const open: Window = {
        started: t,
        timer: null,
        count: 0,
        first: null,
        commands: new Set(),
        moreCommands: false,
        remotes: new Set(),
        moreRemotes: 0,
      };
      // Ends on its own: nothing is kept for a client that stopped.
      open.timer = setTimeout(() => close(key, open), windowMs);
      open.timer.unref();
      windows.set(key, open);
      downstream(record);
      return;
    }
    w.count++;
    w.first ??= record;
    if (w.commands.size < NAMED || w.commands.has(record.command))
      w.commands.add(record.command.slice(0, 128));
    else w.moreCommands = true;
    const remote = record.context.remoteAddress;
    if (w.remotes.size < NAMED || w.remotes.has(remote)) w.remotes.add(remote);
    else w.moreRemotes++;
  };

  return {
    listener,
    get openWindows() {
      return windows.size;
    },
    flush() {
      for (const [key, w] of [...windows]) close(key, w);
    },
  };
}
