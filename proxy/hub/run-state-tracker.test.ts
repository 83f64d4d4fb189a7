// The run state from QEMU's events and query-status answers, in the order QEMU sent them.
import { describe, expect, it } from 'vitest';
import type { VmRunState } from '../../protocol/api.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import { type QueryStatusReturn, RunStateTracker } from './run-state-tracker.ts';

function setup() {
  const queries: { resolve: (r: QueryStatusReturn) => void; reject: (e: Error) => void }[] = [];
  const changes: (VmRunState | null)[] = [];
  let clock = 0;
  const tracker = new RunStateTracker({
    queryStatus: () => new Promise((resolve, reject) => queries.push({ resolve, reject })),
    onChange: (s) => changes.push(s),
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ++clock)),
  });
  const answer = async (status: string) => {
    queries.shift()!.resolve({ status, running: status === 'running' });
    await Promise.resolve();
    await Promise.resolve();
  };
  const event = (name: string, data?: JsonObject) =>
    tracker.event({ event: name, ...(data ? { data } : {}), timestamp: { seconds: 0, microseconds: 0 } });
  return { tracker, queries, changes, answer, event };
}

describe('RunStateTracker', () => {
  it('learns the state with query-status on connect and follows decisive events without asking', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    expect(queries).toHaveLength(1);
    await answer('prelaunch');
    expect(tracker.state).toMatchObject({ status: 'prelaunch', running: false, reason: null });
    event('RESUME');
    expect(tracker.state).toMatchObject({ status: 'running', running: true });
    event('BLOCK_IO_ERROR', { device: 'bad0', action: 'stop' });
    event('STOP');
    expect(tracker.state).toMatchObject({ status: 'io-error', running: false, reason: 'io-error' });
    event('RESUME');
    event('GUEST_PANICKED', { action: 'pause' });
    event('STOP');
    expect(tracker.state).toMatchObject({ status: 'guest-panicked', reason: 'guest-panic' });
    expect(queries).toHaveLength(0);
  });

  it('takes a STOP without a cause for paused and confirms it with query-status', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    await answer('running');
    event('STOP');
    expect(tracker.state).toMatchObject({ status: 'paused' });
    expect(queries).toHaveLength(1);
    await answer('postmigrate');
    expect(tracker.state).toMatchObject({ status: 'postmigrate', running: false });
  });

  it('ignores an answer an event may have overtaken, and asks again while still unsure', async () => {
    const { tracker, queries, answer, event } = setup();
    tracker.connected();
    event('STOP');
    // The answer to the query sent before that STOP could be older than it: not trusted.
    await answer('running');
    expect(tracker.state).toMatchObject({ status: 'paused' });
    expect(queries).toHaveLength(1);
    await answer('paused');
    expect(tracker.state).toMatchObject({ status: 'paused' });
    expect(queries).toHaveLength(0);
  });

  it('does not let the cause of a stop a stopped VM never makes name a later stop', async () => {
    const { tracker, answer, event } = setup();
    tracker.connected();
    await answer('paused');
    // QEMU sends no STOP for a VM that is not running: this error changes nothing.
    event('BLOCK_IO_ERROR', { device: 'bad0', action: 'stop' });
    event('RESUME');
    event('STOP');
    expect(tracker.state).toMatchObject({ status: 'paused' });
  });

  it('keeps since while the state stays, moves it when the state changes, forgets all on disconnect', async () => {
    const { tracker, changes, answer, event } = setup();
    tracker.connected();
    await answer('running');
    const since = tracker.state!.since;
    event('RESET', { guest: true, reason: 'guest-reset' });
    expect(tracker.state!.since).toBe(since);
    event('STOP');
    expect(tracker.state!.since).not.toBe(since);
    const paused = tracker.state!.since;
    await answer('paused');
    expect(tracker.state!.since).toBe(paused);
    // A reset of a stopped VM puts it in prelaunch.
    event('RESET', { guest: false, reason: 'host-qmp-system-reset' });
    expect(tracker.state).toMatchObject({ status: 'prelaunch', reason: 'host-qmp-system-reset' });
    await answer('prelaunch');
    tracker.disconnected();
    expect(tracker.state).toBeNull();
    expect(changes.map((c) => c?.status)).toEqual(['running', 'paused', 'prelaunch']);
  });

  it('drops an answer from a session that is gone', async () => {
    const { tracker, queries, event } = setup();
    tracker.connected();
    const stale = queries.shift()!;
    tracker.disconnected();
    tracker.connected();
    stale.resolve({ status: 'running', running: true });
    await Promise.resolve();
    expect(tracker.state).toBeNull();
    event('SUSPEND');
    expect(tracker.state).toMatchObject({ status: 'suspended', running: false });
    event('WAKEUP');
    expect(tracker.state).toMatchObject({ status: 'running' });
  });
});

describe('RunStateTracker against a QEMU that answers nonsense', () => {
  it('keeps no state from an answer without a status name', async () => {
    const { tracker, queries } = setup();
    tracker.connected();
    queries.shift()!.resolve({} as QueryStatusReturn);
    await Promise.resolve();
    await Promise.resolve();
    expect(tracker.state).toBeNull();
  });
});
