import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionInfo } from '../../../protocol/api.ts';
import { VIEWER_ALLOW } from '../../../protocol/command-policy.ts';
import type { Json } from '../../../protocol/qmp.ts';
import type { FakeQmpSocket } from '../test-support/fake-qmp-socket.ts';
import { cleanupApp, renderApp, VM1 } from '../test-support/render-app.tsx';

afterEach(cleanupApp);

const session = (role: 'operator' | 'viewer'): SessionInfo => ({
  role,
  auth: true,
  policy: { readOnly: false, deny: [], viewerAllow: [...VIEWER_ALLOW] },
});

function stubApi(role: 'operator' | 'viewer') {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      const body =
        url === '/api/vms'
          ? [VM1]
          : url === '/api/session'
            ? session(role)
            : url.includes('/events?')
              ? { events: [], next: null }
              : null;
      return body === null
        ? new Response('not found', { status: 404 })
        : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }),
  );
}

const sent = (socket: FakeQmpSocket, command: string) => socket.sent.filter((c) => c.execute === command);

async function answer(socket: FakeQmpSocket, command: string, value: Json, times = 1) {
  await waitFor(() => expect(sent(socket, command).length).toBeGreaterThanOrEqual(times));
  await act(async () => socket.reply(command, value));
}

const RUNNING_BACKUP = [
  { id: 'bk0', type: 'backup', status: 'running', 'current-progress': 8388608, 'total-progress': 67108864 },
];
const BLOCK_JOB = [
  {
    device: 'bk0',
    type: 'backup',
    len: 67108864,
    offset: 8388608,
    busy: true,
    paused: false,
    speed: 4194304,
    'io-status': 'ok',
    ready: false,
    status: 'running',
    'auto-finalize': true,
    'auto-dismiss': true,
  },
];

async function jobsPage(role: 'operator' | 'viewer') {
  stubApi(role);
  const app = renderApp('/vms/vm1/jobs');
  await waitFor(() => expect(app.sockets.sockets.length).toBeGreaterThan(0));
  const socket = app.sockets.last();
  await act(async () => socket.handshake());
  await answer(socket, 'query-jobs', RUNNING_BACKUP);
  await answer(socket, 'query-block-jobs', BLOCK_JOB);
  await answer(socket, 'query-named-block-nodes', []);
  const row = await screen.findByRole('row', { name: /^bk0\b/ });
  return { socket, row };
}

describe('jobs page', () => {
  it('shows a running job with its progress, limit and actions; Cancel asks first, naming VM and job', async () => {
    const { socket, row } = await jobsPage('operator');
    const bar = within(row).getByRole('progressbar', { name: 'Progress of backup job bk0' });
    expect(bar.getAttribute('aria-valuenow')).toBe('12');
    expect(bar.getAttribute('aria-valuetext')).toBe('12 %, 8 MiB of 64 MiB');
    expect(within(row).getByText('limit 4 MiB/s')).toBeTruthy();
    expect(within(row).queryByRole('button', { name: 'Dismiss job bk0' })).toBeNull();

    await userEvent.click(within(row).getByRole('button', { name: 'Cancel job bk0' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel job bk0 on vm1?' });
    expect(sent(socket, 'job-cancel')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel bk0' }));
    await waitFor(() => expect(sent(socket, 'job-cancel')).toHaveLength(1));
    expect(sent(socket, 'job-cancel')[0]?.arguments).toEqual({ id: 'bk0' });
  });

  it('refreshes the jobs when QEMU says a job changed status', async () => {
    const { socket } = await jobsPage('operator');
    const before = sent(socket, 'query-block-jobs').length;
    await act(async () => socket.event('JOB_STATUS_CHANGE', { id: 'bk0', status: 'paused' }));
    await waitFor(() => expect(sent(socket, 'query-block-jobs').length).toBe(before + 1));
  });

  it('greys the actions out for a viewer, saying why', async () => {
    const { row } = await jobsPage('viewer');
    for (const name of ['Pause job bk0', 'Cancel job bk0']) {
      const button = within(row).getByRole('button', { name }) as HTMLButtonElement;
      await waitFor(() => expect(button.disabled).toBe(true));
      expect(button.title).toMatch(/^Viewers may not run job-/);
    }
  });
});
