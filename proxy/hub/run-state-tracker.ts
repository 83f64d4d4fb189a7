// One VM's run state as the console knows it: asked with `query-status` when the session connects,
// then kept current from events in QEMU's order, asking again only where an event leaves it unsure.
import type { VmRunState } from '../../protocol/api.ts';
import type { QmpEvent } from '../../protocol/qmp.ts';
import { log } from '../log.ts';
import { isRunningStatus, type RunStateCause, runStateEffect } from './run-state-events.ts';

export interface QueryStatusReturn {
  status: string;
  running: boolean;
}

export interface RunStateTrackerOptions {
  /** Runs `query-status` on the VM (VmHub.execute). */
  queryStatus: () => Promise<QueryStatusReturn>;
  /** Called after every change the tracker makes on its own (events, answers). */
  onChange: (state: VmRunState) => void;
  now?: () => Date;
}

export class RunStateTracker {
  private current: VmRunState | null = null;
  /** Bumped on every connect and disconnect: answers to an older session's query are ignored. */
  private session = 0;
  /** What the next STOP enters, when QEMU announced it (cleared by any other state change). */
  private stopCause: RunStateCause | null = null;
  /** The state rests on a guess that only `query-status` can confirm. */
  private unsure = false;
  private querying = false;
  /** Events that touched the state since the query in flight was sent. */
  private eventsSinceQuery = 0;
  private readonly now: () => Date;

  constructor(private readonly options: RunStateTrackerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get state(): VmRunState | null {
    return this.current;
  }

  connected(): void {
    this.session++;
    this.stopCause = null;
    this.querying = false;
    this.unsure = true;
    this.query();
  }

  /** Forgets the state; the caller tells of the change with the connection's own. */
  disconnected(): void {
    this.session++;
    this.stopCause = null;
    this.querying = false;
    this.unsure = false;
    this.current = null;
  }

  /** An event, when clients get it: in QEMU's order relative to the replies to `query-status`. */
  event(event: QmpEvent): void {
    const effect = runStateEffect(event);
    if (effect === null) return;
    this.eventsSinceQuery++;
    switch (effect.kind) {
      case 'state':
        this.stopCause = null;
        this.set(effect.status, effect.reason, false);
        return;
      case 'stop-cause':
        // A stopped VM gets no STOP: the cause would wrongly name a later, unrelated stop.
        if (this.current === null || this.current.running) this.stopCause = effect;
        return;
      case 'stop': {
        const cause = this.stopCause;
        this.stopCause = null;
        if (cause) this.set(cause.status, cause.reason, false);
        else this.set('paused', null, true);
        return;
      }
      case 'reset':
        this.stopCause = null;
        if (this.current?.running) return;
        this.set('prelaunch', effect.reason, true);
        return;
      case 'requery':
        this.unsure = true;
        this.query();
        return;
    }
  }

  private set(status: string, reason: string | null, unsure: boolean): void {
    this.unsure = unsure;
    if (unsure) this.query();
    const before = this.current;
    if (before !== null && before.status === status && (reason === null || before.reason === reason)) return;
    const same = before !== null && before.status === status;
    this.current = {
      status,
      running: isRunningStatus(status),
      reason: same ? (reason ?? before.reason) : reason,
      since: same ? before.since : this.now().toISOString(),
    };
    this.options.onChange(this.current);
  }

  /** One `query-status` in flight at most; its answer counts only if no event came in the meantime. */
  private query(): void {
    if (this.querying) return;
    this.querying = true;
    this.eventsSinceQuery = 0;
    const session = this.session;
    this.options.queryStatus().then(
      (answer) => {
        if (session !== this.session) return;
        this.querying = false;
        // An event after the query may be newer than the answer: trust the event, or ask again.
        if (this.eventsSinceQuery > 0) {
          if (this.unsure) this.query();
          return;
        }
        // Whatever a QEMU (or something posing as one) answers, only a status name is taken.
        if (typeof answer?.status === 'string') this.set(answer.status, null, false);
      },
      (err: unknown) => {
        if (session !== this.session) return;
        this.querying = false;
        // Lost or timed out: a disconnect resets the state anyway; a slow QEMU is asked on the next event.
        log.debug('query-status for the run state failed', { error: String(err) });
      },
    );
  }
}
