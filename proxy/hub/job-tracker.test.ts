// A VM's jobs from query-jobs answers and QEMU's job events, in the order QEMU sent them.
import { describe, expect, it } from 'vitest';
import type { VmJob } from '../../protocol/api.ts';
import type { JobInfo, JobStatus, JsonObject } from '../../protocol/qmp.ts';
import { JobTracker, jobEventId } from './job-tracker.ts';

function setup() {
  const queries: { resolve: (r: JobInfo[]) => void; reject: (e: Error) => void }[] = [];
  const changes: VmJob[][] = [];
  const tracker = new JobTracker({
    queryJobs: () => new Promise((resolve, reject) => queries.push({ resolve, reject })),
    onChange: (jobs) => changes.push(jobs),
  });
  const settle = async () => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  const answer = async (jobs: JobInfo[]) => {
    queries.shift()!.resolve(jobs);
    await settle();
  };
  const event = (name: string, data?: JsonObject) =>
    tracker.event({ event: name, ...(data ? { data } : {}), timestamp: { seconds: 0, microseconds: 0 } });
  return { tracker, queries, changes, answer, event, settle };
}

const info = (id: string, status: JobStatus, current = 0, total = 100, extra: Partial<JobInfo> = {}) => ({
  id,
  type: 'backup',
  status,
  'current-progress': current,
  'total-progress': total,
  ...extra,
});

describe('JobTracker', () => {
  it('lists the jobs with query-jobs on connect', async () => {
    const { tracker, queries, changes, answer } = setup();
    expect(tracker.jobs).toBeNull();
    tracker.connected();
    expect(queries).toHaveLength(1);
    await answer([info('bk0', 'running', 10, 100)]);
    expect(tracker.jobs).toEqual([
      { id: 'bk0', type: 'backup', status: 'running', current: 10, total: 100, error: null },
    ]);
    expect(changes).toHaveLength(1);
  });

  it('learns a new job from query-jobs after its JOB_STATUS_CHANGE, and moves its status at once after that', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    await answer([]);
    event('JOB_STATUS_CHANGE', { id: 'mr0', status: 'created' });
    // The event does not say the job's type: it is asked for.
    expect(tracker.jobs).toEqual([]);
    expect(queries).toHaveLength(1);
    await answer([info('mr0', 'running', 0, 64, { type: 'mirror' })]);
    expect(tracker.jobs).toMatchObject([{ id: 'mr0', type: 'mirror', status: 'running' }]);
    event('JOB_STATUS_CHANGE', { id: 'mr0', status: 'ready' });
    expect(tracker.jobs).toMatchObject([{ id: 'mr0', status: 'ready' }]);
  });

  it('forgets a dismissed job (status null) without waiting for query-jobs', async () => {
    const { tracker, answer, event, changes } = setup();
    tracker.connected();
    await answer([info('bk0', 'concluded', 100, 100), info('bk1', 'running')]);
    event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'null' });
    expect(tracker.jobs?.map((j) => j.id)).toEqual(['bk1']);
    expect(changes.at(-1)?.map((j) => j.id)).toEqual(['bk1']);
  });

  it("keeps a concluded job's error from query-jobs", async () => {
    const { tracker, answer, event } = setup();
    tracker.connected();
    await answer([info('bk0', 'running', 4, 100)]);
    event('BLOCK_JOB_COMPLETED', {
      device: 'bk0',
      type: 'backup',
      len: 100,
      offset: 4,
      error: 'Input/output error',
    });
    event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'concluded' });
    expect(tracker.jobs).toMatchObject([{ status: 'concluded', error: null }]);
    await answer([info('bk0', 'concluded', 4, 100, { error: 'Input/output error' })]);
    expect(tracker.jobs).toMatchObject([{ status: 'concluded', current: 4, error: 'Input/output error' }]);
  });

  it('asks once at a time, and once more after an answer when events came meanwhile', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'created' });
    event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'running' });
    expect(queries).toHaveLength(1);
    await answer([]);
    // The answer may have been written before the events: asked again.
    expect(queries).toHaveLength(1);
    await answer([info('bk0', 'running')]);
    expect(queries).toHaveLength(0);
    expect(tracker.jobs).toMatchObject([{ id: 'bk0', status: 'running' }]);
  });

  it('tells of a change only when the list changed', async () => {
    const { tracker, answer, event, changes } = setup();
    tracker.connected();
    await answer([info('bk0', 'running', 5)]);
    event('BLOCK_JOB_ERROR', { device: 'bk0', operation: 'read', action: 'report' });
    await answer([info('bk0', 'running', 5)]);
    expect(changes).toHaveLength(1);
  });

  it('ignores events that are not about jobs, and what QEMU answers that is not a job', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    await answer([info('bk0', 'running'), { id: 7 } as unknown as JobInfo]);
    expect(tracker.jobs?.map((j) => j.id)).toEqual(['bk0']);
    event('BLOCK_IO_ERROR', { device: 'bad0', action: 'stop' });
    event('STOP');
    event('JOB_STATUS_CHANGE', { status: 'running' });
    expect(queries).toHaveLength(0);
  });

  it('forgets everything on disconnect and ignores the answer to an older session', async () => {
    const { tracker, queries, answer, changes } = setup();
    tracker.connected();
    const stale = queries.shift()!;
    tracker.disconnected();
    expect(tracker.jobs).toBeNull();
    tracker.connected();
    stale.resolve([info('old', 'running')]);
    await answer([info('new', 'paused')]);
    expect(tracker.jobs?.map((j) => j.id)).toEqual(['new']);
    expect(changes.flat().map((j) => j.id)).toEqual(['new']);
  });

  it('asks again on the next job event after a failed query', async () => {
    const { tracker, queries, event, answer, settle } = setup();
    tracker.connected();
    queries.shift()!.reject(new Error('timed out'));
    await settle();
    expect(tracker.jobs).toBeNull();
    event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'created' });
    expect(queries).toHaveLength(1);
    await answer([info('bk0', 'created')]);
    expect(tracker.jobs).toMatchObject([{ id: 'bk0' }]);
  });

  it('names the job of each job event', () => {
    const at = { seconds: 0, microseconds: 0 };
    expect(
      jobEventId({ event: 'JOB_STATUS_CHANGE', data: { id: 'a', status: 'running' }, timestamp: at }),
    ).toBe('a');
    expect(
      jobEventId({ event: 'BLOCK_JOB_READY', data: { device: 'b', type: 'mirror' }, timestamp: at }),
    ).toBe('b');
    expect(jobEventId({ event: 'BLOCK_IO_ERROR', data: { device: 'c' }, timestamp: at })).toBeNull();
  });
});
