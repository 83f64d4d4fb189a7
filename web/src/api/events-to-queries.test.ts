import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QmpEvent } from '../../../protocol/qmp.ts';
import { createEventInvalidator, retainEventInvalidation } from './events-to-queries.ts';

const ev = (event: string): QmpEvent => ({ event, timestamp: { seconds: 1, microseconds: 0 } });

describe('createEventInvalidator', () => {
  const KEYS = {
    status: ['vm', 'vm1', 'query-status'],
    block: ['vm', 'vm1', 'query-block'],
    blockstats: ['vm', 'vm1', 'query-blockstats'],
    blockstatsWithArgs: ['vm', 'vm1', 'query-blockstats', { 'query-nodes': true }],
    pci: ['vm', 'vm1', 'query-pci'],
    balloon: ['vm', 'vm1', 'query-balloon'],
    name: ['vm', 'vm1', 'query-name'],
    qomList: ['vm', 'vm1', 'qom-list', { path: '/machine' }],
    otherVmStatus: ['vm', 'vm2', 'query-status'],
    vms: ['vms'],
  } as const;
  let queryClient: QueryClient;

  beforeEach(() => {
    vi.useFakeTimers();
    queryClient = new QueryClient();
    for (const key of Object.values(KEYS)) queryClient.setQueryData(key, 'fresh');
  });

  afterEach(() => {
    queryClient.clear();
    vi.useRealTimers();
  });

  const invalidated = () =>
    Object.entries(KEYS)
      .filter(([, key]) => queryClient.getQueryState(key)?.isInvalidated)
      .map(([name]) => name);

  it('invalidates exactly the queries of the event, for this VM only', () => {
    const invalidator = createEventInvalidator(queryClient, 'vm1');
    invalidator.handle(ev('BLOCK_IO_ERROR'));
    vi.advanceTimersByTime(0);
    expect(invalidated()).toEqual(['status', 'block', 'blockstats', 'blockstatsWithArgs']);
  });

  it.each([
    ['STOP', ['status']],
    ['RESUME', ['status', 'block']],
    ['SHUTDOWN', ['status']],
    ['DEVICE_DELETED', ['block', 'pci', 'qomList']],
    ['DEVICE_TRAY_MOVED', ['block', 'pci']],
    ['BALLOON_CHANGE', ['balloon']],
    ['RTC_CHANGE', []],
  ])('%s invalidates %j', (event, expected) => {
    const invalidator = createEventInvalidator(queryClient, 'vm1');
    invalidator.handle(ev(event));
    vi.advanceTimersByTime(0);
    expect(invalidated()).toEqual(expected);
  });

  it('turns an event storm into at most one invalidation per query per throttle window', () => {
    const spy = vi.spyOn(queryClient, 'invalidateQueries');
    const invalidator = createEventInvalidator(queryClient, 'vm1', { throttleMs: 200 });
    for (let i = 0; i < 1000; i++) {
      invalidator.handle(ev('BLOCK_IO_ERROR'));
      invalidator.handle(ev('STOP'));
    }
    vi.advanceTimersByTime(0);
    expect(spy).toHaveBeenCalledTimes(3); // status, block, blockstats: once each, at once

    invalidator.handle(ev('STOP'));
    vi.advanceTimersByTime(199);
    expect(spy).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(1);
    expect(spy).toHaveBeenCalledTimes(4); // the trailing one carries the latest
    expect(spy.mock.calls[3]?.[0]).toEqual({ queryKey: ['vm', 'vm1', 'query-status'] });
  });

  it('does nothing after dispose', () => {
    const invalidator = createEventInvalidator(queryClient, 'vm1');
    invalidator.handle(ev('STOP'));
    invalidator.dispose();
    vi.advanceTimersByTime(1000);
    expect(invalidated()).toEqual([]);
  });
});

describe('retainEventInvalidation', () => {
  it('shares one subscription among every caller for a VM, and ends it with the last one', async () => {
    vi.useFakeTimers();
    const queryClient = new QueryClient();
    const spy = vi.spyOn(queryClient, 'invalidateQueries');
    const listeners = new Set<(e: QmpEvent) => void>();
    const client = {
      onEvent(fn: (e: QmpEvent) => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    };
    const releases = [1, 2, 3].map(() =>
      retainEventInvalidation(queryClient, client, 'vm1', { throttleMs: 0 }),
    );
    expect(listeners.size).toBe(1);
    for (const fn of listeners) fn(ev('STOP'));
    await vi.advanceTimersByTimeAsync(5);
    expect(spy).toHaveBeenCalledTimes(1);
    releases[0]!();
    releases[0]!();
    releases[1]!();
    expect(listeners.size).toBe(1);
    releases[2]!();
    expect(listeners.size).toBe(0);
    vi.useRealTimers();
  });
});
