// The console stream into react-query's caches: a storm's run-state changes are applied once a frame.
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../../protocol/api.ts';
import { fakeEventSources, HEALTHY } from '../test-support/fake-event-source.ts';
import { VM1 } from '../test-support/render-app.tsx';
import { withRunState } from '../test-support/test-console.ts';
import { openConsoleStream } from './console-stream.ts';
import { vmsQueryOptions } from './vms.ts';

let close = () => {};
afterEach(() => close());

/** A console stream whose frames the test runs by hand. */
function openStream() {
  const queryClient = new QueryClient();
  const sources = fakeEventSources();
  const frames: (() => void)[] = [];
  const stream = openConsoleStream(queryClient, {
    createEventSource: sources.create,
    schedule: (fn) => {
      frames.push(fn);
      return () => frames.splice(frames.indexOf(fn), 1);
    },
  });
  close = () => stream.close();
  const source = sources.last();
  const updates: VmSummary[][] = [];
  queryClient.getQueryCache().subscribe((e) => {
    if (e.type === 'updated' && e.action.type === 'success' && e.query.queryKey[0] === 'vms')
      updates.push(e.query.state.data as VmSummary[]);
  });
  const vms = () => queryClient.getQueryData(vmsQueryOptions.queryKey);
  const runFrame = () => {
    for (const fn of frames.splice(0)) fn();
  };
  return { source, frames, vms, runFrame, updates };
}

describe('console stream', () => {
  it('applies a storm of run-state changes once a frame, the newest of each VM', () => {
    const { source, frames, vms, runFrame, updates } = openStream();
    const vm2 = { ...VM1, name: 'vm2' };
    source.message({
      type: 'snapshot',
      vms: [withRunState(VM1, 'running'), vm2],
      alerts: [],
      journal: HEALTHY,
    });
    expect(vms()?.[0]?.runState?.status).toBe('running');
    updates.length = 0;
    for (let i = 0; i < 500; i++) {
      source.message({ type: 'vm', vm: withRunState(VM1, 'paused') });
      source.message({ type: 'vm', vm: withRunState(VM1, 'running') });
    }
    source.message({ type: 'vm', vm: withRunState(VM1, 'io-error') });
    source.message({ type: 'vm', vm: withRunState(vm2, 'paused') });
    source.message({ type: 'journal', journal: { ...HEALTHY, backlog: 7 } });
    expect(updates).toHaveLength(0);
    expect(frames).toHaveLength(1);
    runFrame();
    expect(vms()?.map((v) => v.runState?.status)).toEqual(['io-error', 'paused']);
    expect(vms()?.every((v) => v.journal?.backlog === 7)).toBe(true);
    // One update per VM changed and one for the journal, not one per message.
    expect(updates.length).toBeLessThanOrEqual(3);
  });

  it('drops changes held for the frame when a newer snapshot arrives', () => {
    const { source, vms, runFrame } = openStream();
    source.message({ type: 'snapshot', vms: [withRunState(VM1, 'running')], alerts: [], journal: HEALTHY });
    source.message({ type: 'vm', vm: withRunState(VM1, 'paused') });
    source.message({ type: 'snapshot', vms: [withRunState(VM1, 'shutdown')], alerts: [], journal: HEALTHY });
    runFrame();
    expect(vms()?.[0]?.runState?.status).toBe('shutdown');
  });
});
