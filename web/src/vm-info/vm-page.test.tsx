import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GREETING } from '../test-support/fake-qmp-socket.ts';
import { cleanupApp, renderApp, stubVmsApi, VM1 } from '../test-support/render-app.tsx';

afterEach(cleanupApp);

const PRELAUNCH = { running: false, singlestep: false, status: 'prelaunch' };

/** Renders /vms/vm1 and brings its QMP connection up. */
async function connectedVmPage() {
  stubVmsApi([VM1]);
  const app = renderApp('/vms/vm1');
  await waitFor(() => expect(app.sockets.sockets).toHaveLength(1));
  const socket = app.sockets.last();
  await act(async () => socket.handshake());
  await waitFor(() => socket.lastSent('query-status'));
  return { ...app, socket };
}

describe('VM page', () => {
  it('opens the VM QMP socket and waits for the connection', async () => {
    stubVmsApi([VM1]);
    const { sockets } = renderApp('/vms/vm1');
    expect(screen.getByRole('heading', { level: 1, name: 'vm1' })).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Connection: connecting' })).toBeTruthy();
    const status = screen.getByRole('region', { name: 'Status' });
    expect(within(status).getByText('Waiting for the QMP connection…')).toBeTruthy();
    await waitFor(() => expect(sockets.sockets).toHaveLength(1));
    expect(sockets.last().url).toBe('ws://console.test/qmp/vm1');
  });

  it('shows the QEMU version from the greeting, then the run state with its reason', async () => {
    const { socket } = await connectedVmPage();
    expect(screen.getByRole('status', { name: 'Connection: connected' })).toBeTruthy();
    expect(screen.getByText('QEMU 7.2.22')).toBeTruthy();
    expect(screen.getByText('Loading status…')).toBeTruthy();

    await act(async () => socket.reply('query-status', PRELAUNCH));
    const runState = await screen.findByRole('status', { name: 'Run state' });
    expect(runState.textContent).toBe('prelaunch');
    const panel = screen.getByRole('region', { name: 'Status' });
    expect(within(panel).getByText('no')).toBeTruthy(); // Running
    expect(within(panel).getByText(/QEMU was launched with -S/)).toBeTruthy();
    // Only one query-status was sent although the page both mounted and saw the client become ready.
    expect(socket.sent.filter((c) => c.execute === 'query-status')).toHaveLength(1);
  });

  it('shows a QMP error with its class', async () => {
    const { socket } = await connectedVmPage();
    await act(async () => socket.replyError('query-status', 'GenericError', 'Something broke'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not read the run state: GenericError: Something broke/);
  });

  it('refreshes the run state when an event makes it stale', async () => {
    const { socket } = await connectedVmPage();
    await act(async () => socket.reply('query-status', PRELAUNCH));
    await screen.findByRole('status', { name: 'Run state' });

    const before = socket.sent.length;
    await act(async () => socket.event('RESUME'));
    await waitFor(() => expect(socket.sent.length).toBe(before + 1));
    expect(socket.sent.at(-1)?.execute).toBe('query-status');
    await act(async () =>
      socket.reply('query-status', { running: true, singlestep: false, status: 'running' }),
    );
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Run state' }).textContent).toBe('running'),
    );
    expect(screen.getByText('yes')).toBeTruthy();
  });

  it('explains io-error', async () => {
    const { socket } = await connectedVmPage();
    await act(async () =>
      socket.reply('query-status', { running: false, singlestep: false, status: 'io-error' }),
    );
    expect((await screen.findByRole('status', { name: 'Run state' })).textContent).toBe('io-error');
    expect(screen.getByText(/Paused after a disk I\/O error/)).toBeTruthy();
  });

  it('reconnects after QEMU goes away and refreshes the run state', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, sockets } = await connectedVmPage();
    await act(async () => socket.reply('query-status', PRELAUNCH));
    await screen.findByRole('status', { name: 'Run state' });

    await act(async () => socket.serverClose(4001));
    expect(screen.getByRole('status', { name: 'Connection: reconnecting' })).toBeTruthy();
    expect(screen.getByText('Reconnecting… QEMU connection lost (4001)')).toBeTruthy();
    expect(screen.getByText('Last known state; not connected.')).toBeTruthy();

    await waitFor(() => expect(sockets.sockets).toHaveLength(2), { timeout: 1000 });
    const again = sockets.last();
    await act(async () => again.handshake());
    expect(await screen.findByRole('status', { name: 'Connection: connected' })).toBeTruthy();
    await waitFor(() => again.lastSent('query-status'));
    await act(async () =>
      again.reply('query-status', { running: true, singlestep: false, status: 'running' }),
    );
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Run state' }).textContent).toBe('running'),
    );
  });

  it('says so when the console has no such VM', async () => {
    stubVmsApi([VM1]);
    const { sockets } = renderApp('/vms/nope');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/no VM named “nope”/);
    expect(screen.getByRole('link', { name: 'All virtual machines' })).toBeTruthy();
    expect(screen.queryByRole('status', { name: /^Connection:/ })).toBeNull();
    // The socket opened before the list arrived is released; nothing keeps retrying in the background.
    expect(sockets.sockets.length).toBeLessThanOrEqual(1);
  });

  it('keeps the QEMU version from /api/vms until the greeting arrives', async () => {
    stubVmsApi([{ ...VM1, version: { ...GREETING.QMP.version, qemu: { major: 8, minor: 0, micro: 1 } } }]);
    renderApp('/vms/vm1');
    expect(await screen.findByText('QEMU 8.0.1')).toBeTruthy();
  });
});
