// The VM pages' job strip: which jobs live is the console's word (the VM summary); a QMP connection is
// opened only while a job does work, for its progress.
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONSOLE_STREAM_PATH, type VmJob, type VmSummary } from '../../../protocol/api.ts';
import { stubConsole } from '../test-support/fake-event-log-api.ts';
import { sourceAt } from '../test-support/fake-event-source.ts';
import { cleanupApp, renderApp, VM1 } from '../test-support/render-app.tsx';
import { answer } from '../test-support/test-console.ts';

const job = (status: string, current: number, extra: Partial<VmJob> = {}): VmJob => ({
  id: 'bk0',
  type: 'backup',
  status,
  current,
  total: 200,
  error: null,
  ...extra,
});
const withJobs = (jobs: VmJob[]): VmSummary => ({ ...VM1, jobs });

beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
});
afterEach(() => {
  cleanupApp();
  vi.restoreAllMocks();
});

/** The event log page of vm1 (it needs no QMP connection of its own), once it has rendered. */
async function eventLogWith(vm: VmSummary) {
  const { sources } = stubConsole([], [], [vm]);
  const app = renderApp('/vms/vm1/events');
  await screen.findByRole('heading', { level: 1 });
  await screen.findByRole('link', { name: 'Jobs' });
  return { ...app, sources };
}

const strip = () => screen.queryByRole('region', { name: 'Jobs running on vm1' });

describe('the job strip', () => {
  it('shows nothing and opens no QMP connection for a VM without jobs', async () => {
    const { sockets, queryClient } = await eventLogWith(withJobs([]));
    await waitFor(() => expect(queryClient.getQueryData(['vms'])).toEqual([withJobs([])]));
    expect(strip()).toBeNull();
    expect(sockets.sockets).toHaveLength(0);
  });

  it('shows a paused or concluded job from the summary alone', async () => {
    const { sockets } = await eventLogWith(
      withJobs([job('paused', 50), job('concluded', 20, { id: 'bk1', error: 'Input/output error' })]),
    );
    const region = await screen.findByRole('region', { name: 'Jobs running on vm1' });
    expect(within(region).getByText('paused')).toBeTruthy();
    expect(within(region).getByText('concluded')).toBeTruthy();
    const bar = within(region).getByRole('progressbar', { name: 'Progress of backup job bk0' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(within(region).getByRole('link', { name: 'All jobs on vm1' })).toBeTruthy();
    expect(sockets.sockets).toHaveLength(0);
  });

  it('appears when the console stream brings a running job, polls its progress, and goes when it is dismissed', async () => {
    const { sockets, sources } = await eventLogWith(withJobs([]));
    const stream = await waitFor(() => sourceAt(sources, CONSOLE_STREAM_PATH));
    await act(async () => stream.message({ type: 'vm', vm: withJobs([job('running', 20)]) }));
    await screen.findByRole('region', { name: 'Jobs running on vm1' });
    // The region is rendered again once the polling part has loaded: looked up each time.
    const bar = () => within(strip()!).getByRole('progressbar', { name: 'Progress of backup job bk0' });
    expect(bar().getAttribute('aria-valuenow')).toBe('10');
    // Only now does the page talk to QEMU: query-jobs, for the progress.
    await waitFor(() => expect(sockets.sockets).toHaveLength(1));
    await act(async () => sockets.last().handshake());
    await answer(sockets.last(), 'query-jobs', [
      { id: 'bk0', type: 'backup', status: 'running', 'current-progress': 150, 'total-progress': 200 },
    ]);
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('75'));
    await act(async () => stream.message({ type: 'vm', vm: withJobs([]) }));
    await waitFor(() => expect(strip()).toBeNull());
  });
});
