// One VM's jobs as the console knows them: listed with `query-jobs` when the session connects, then
// kept current from QEMU 7.2's job events. JOB_STATUS_CHANGE (`{id, status}`) moves a job through the
// generic job layer (created, running, paused, ready, waiting, pending, aborting, concluded, null =
// dismissed); block jobs add BLOCK_JOB_* events (`device` is the job id) that carry progress and errors
// but no new status. An event applies at once where it says enough; `query-jobs` is asked again after
// any job event for what events do not carry (a new job's type, progress, a concluded job's error).
import type { VmJob } from '../../protocol/api.ts';
import type { JobInfo, QmpEvent } from '../../protocol/qmp.ts';
import { log } from '../log.ts';

export interface JobTrackerOptions {
  /** Runs `query-jobs` on the VM (VmHub.execute). */
  queryJobs: () => Promise<JobInfo[]>;
  /** Called after every change of the list. */
  onChange: (jobs: VmJob[]) => void;
}

const BLOCK_JOB_EVENTS = new Set([
  'BLOCK_JOB_COMPLETED',
  'BLOCK_JOB_CANCELLED',
  'BLOCK_JOB_ERROR',
  'BLOCK_JOB_READY',
  'BLOCK_JOB_PENDING',
]);

/** The job an event is about, or null when it is not a job event. */
export function jobEventId(event: QmpEvent): string | null {
  const data = event.data ?? {};
  const id =
    event.event === 'JOB_STATUS_CHANGE' ? data.id : BLOCK_JOB_EVENTS.has(event.event) ? data.device : null;
  return typeof id === 'string' ? id : null;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Only what a JobInfo must hold is taken, whatever a QEMU (or something posing as one) answers. */
function fromJobInfo(info: JobInfo): VmJob | null {
  if (typeof info?.id !== 'string' || typeof info.type !== 'string' || typeof info.status !== 'string')
    return null;
  return {
    id: info.id,
    type: info.type,
    status: info.status,
    current: num(info['current-progress']),
    total: num(info['total-progress']),
    error: typeof info.error === 'string' ? info.error : null,
  };
}

const sameJobs = (a: readonly VmJob[], b: readonly VmJob[]): boolean =>
  a.length === b.length &&
  a.every((j, i) => {
    const k = b[i]!;
    return (
      j.id === k.id &&
      j.type === k.type &&
      j.status === k.status &&
      j.current === k.current &&
      j.total === k.total &&
      j.error === k.error
    );
  });

export class JobTracker {
  private current: VmJob[] | null = null;
  /** Bumped on every connect and disconnect: answers to an older session's query are ignored. */
  private session = 0;
  private querying = false;
  /** A job event came while the query was in flight: ask once more after its answer. */
  private again = false;

  constructor(private readonly options: JobTrackerOptions) {}

  /** The VM's jobs, or null while the console has no session (or has not had its first answer). */
  get jobs(): VmJob[] | null {
    return this.current;
  }

  connected(): void {
    this.session++;
    this.querying = false;
    this.again = false;
    this.query();
  }

  /** Forgets the jobs; the caller tells of the change with the connection's own. */
  disconnected(): void {
    this.session++;
    this.querying = false;
    this.again = false;
    this.current = null;
  }

  /** An event, when clients get it: in QEMU's order relative to the replies to `query-jobs`. */
  event(event: QmpEvent): void {
    const id = jobEventId(event);
    if (id === null) return;
    if (event.event === 'JOB_STATUS_CHANGE' && this.current !== null) {
      const status = event.data?.status;
      if (typeof status === 'string') {
        // `null`: dismissed, QEMU has forgotten it.
        const next =
          status === 'null'
            ? this.current.filter((j) => j.id !== id)
            : this.current.map((j) => (j.id === id ? { ...j, status } : j));
        this.set(next);
      }
    }
    this.query();
  }

  private set(jobs: VmJob[]): void {
    if (this.current !== null && sameJobs(this.current, jobs)) return;
    this.current = jobs;
    this.options.onChange(jobs);
  }

  /** One `query-jobs` in flight at most; an event meanwhile asks again once it is answered. */
  private query(): void {
    if (this.querying) {
      this.again = true;
      return;
    }
    this.querying = true;
    this.again = false;
    const session = this.session;
    this.options.queryJobs().then(
      (answer) => {
        if (session !== this.session) return;
        this.querying = false;
        // The answer reflects every event delivered before it; later events are applied on top.
        if (Array.isArray(answer)) this.set(answer.map(fromJobInfo).filter((j) => j !== null));
        if (this.again) this.query();
      },
      (err: unknown) => {
        if (session !== this.session) return;
        this.querying = false;
        // Lost or timed out: a disconnect forgets the jobs anyway; a slow QEMU is asked on the next event.
        log.debug('query-jobs for the job list failed', { error: String(err) });
        if (this.again) this.query();
      },
    );
  }
}
