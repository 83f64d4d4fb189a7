import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GREETING } from '../test-support/fake-qmp-socket.ts';
import { cleanupApp, renderApp, stubVmsApi, VM1 } from '../test-support/render-app.tsx';
import { stubConsoleApi, withRunState } from '../test-support/test-console.ts';

afterEach(cleanupApp);

/** Renders /vms/vm1 (the console keeps it in `status`) and brings its QMP connection up. */
async function connectedVmPage(status = 'prelaunch') {
  const api = stubConsoleApi({ vms: [withRunState(VM1, status)] });
  const app = renderApp('/vms/vm1');
  await waitFor(() => expect(app.sockets.sockets).toHaveLength(1));
  const socket = app.sockets.last();
  await act(async () => socket.handshake());
  return { ...app, api, socket };
}

describe('VM page', () => {
  it('opens the VM QMP socket for its panels and waits for the connection', async () => {
    stubConsoleApi({ vms: new Promise<never>(() => {}) });
    const { sockets } = renderApp('/vms/vm1');
    expect(await screen.findByRole('heading', { level: 1, name: 'vm1' })).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Connection: connecting' })).toBeTruthy();
    const status = screen.getByRole('region', { name: 'Status' });
    expect(within(status).getByText('Loading status…')).toBeTruthy();
    await waitFor(() => expect(sockets.sockets).toHaveLength(1));
    expect(sockets.last().url).toBe('ws://console.test/qmp/vm1');
  });

  it('paints the run state from the console before its own QMP connection is up, with its reason', async () => {
    stubConsoleApi({ vms: [withRunState(VM1, 'prelaunch')] });
    const { sockets } = renderApp('/vms/vm1');
    const runState = await screen.findByRole('status', { name: 'Run state' });
    expect(runState.textContent).toBe('prelaunch');
    expect(sockets.sockets.every((s) => s.readyState !== 1)).toBe(true);
    const panel = screen.getByRole('region', { name: 'Status' });
    expect(within(panel).getByText('no')).toBeTruthy(); // Running
    expect(within(panel).getByText(/QEMU was launched with -S/)).toBeTruthy();
  });

  it('shows the QEMU version from the greeting, and never asks QEMU for the run state', async () => {
    const { socket } = await connectedVmPage();
    expect(screen.getByRole('status', { name: 'Connection: connected' })).toBeTruthy();
    expect(screen.getByText('QEMU 7.2.22')).toBeTruthy();
    expect((await screen.findByRole('status', { name: 'Run state' })).textContent).toBe('prelaunch');
    expect(socket.sent.filter((c) => c.execute === 'query-status')).toHaveLength(0);
  });

  it('shows why the run state could not be read', async () => {
    stubConsoleApi({ vms: 500 });
    renderApp('/vms/vm1');
    const status = await screen.findByRole('region', { name: 'Status' });
    const alert = await within(status).findByRole('alert', {}, { timeout: 3000 });
    expect(alert.textContent).toMatch(/Could not read the run state: GET \/api\/vms: 500/);
  });

  it('follows the run state the console stream pushes', async () => {
    const { api } = await connectedVmPage();
    await screen.findByRole('status', { name: 'Run state' });
    const stream = await api.consoleStream();
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'running') }));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Run state' }).textContent).toBe('running'),
    );
    expect(screen.getByText('yes')).toBeTruthy();
  });

  it('explains io-error', async () => {
    await connectedVmPage('io-error');
    expect((await screen.findByRole('status', { name: 'Run state' })).textContent).toBe('io-error');
    expect(screen.getByText(/Paused after a disk I\/O error/)).toBeTruthy();
  });

  it('keeps the Status card compact on tabs other than Overview; offers a VM switcher that keeps the tab', async () => {
    stubConsoleApi({
      vms: [withRunState(VM1, 'prelaunch'), { ...withRunState(VM1, 'running'), name: 'vm2' }],
    });
    const { location } = renderApp('/vms/vm1/memory');
    const status = await screen.findByRole('region', { name: 'Status' });
    await within(status).findByRole('status', { name: 'Run state' });
    expect(within(status).queryByText('Running', { selector: 'dt' })).toBeNull();
    expect(within(status).getByText(/QEMU was launched with -S/).className).toBe('sr-only');
    const switcher = await screen.findByRole('combobox', { name: 'Switch VM' });
    await userEvent.selectOptions(switcher, 'vm2');
    expect(location.history?.at(-1)).toBe('/vms/vm2/memory');
    // This VM's own events and the header's events are told apart by name.
    expect(screen.getByRole('link', { name: "This VM's events" }).getAttribute('href')).toBe(
      '/vms/vm2/events',
    );
    expect(screen.getByRole('link', { name: 'All events' }).getAttribute('href')).toBe('/events');
  });

  it('says the console is unreachable, on every page, instead of blaming the VM (1006)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, api } = await connectedVmPage();
    await screen.findByRole('status', { name: 'Run state' });
    const stream = await api.consoleStream();
    await act(async () => {
      stream.drop();
      socket.serverClose(1006);
    });
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toMatch(
      /^The console is unreachable since .+: this page cannot reach the QMP Console server/,
    );
    expect(screen.queryByText(/^Reconnecting…/)).toBeNull();
    expect(screen.getByRole('status', { name: 'Connection: reconnecting' }).textContent).toContain(
      '(console unreachable)',
    );
    // The console answers again: the banner goes.
    await act(async () => stream.open());
    await waitFor(() => expect(screen.queryByText(/The console is unreachable/)).toBeNull());
  });

  it('reconnects after QEMU goes away, keeping the last known run state until the console has a new one', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, sockets, api } = await connectedVmPage();
    await screen.findByRole('status', { name: 'Run state' });
    const stream = await api.consoleStream();

    await act(async () => socket.serverClose(4001));
    await act(async () =>
      stream.message({
        type: 'vm',
        vm: { ...VM1, state: 'disconnected', error: 'QEMU connection lost', runState: null },
      }),
    );
    expect(screen.getByRole('status', { name: 'Connection: reconnecting' })).toBeTruthy();
    expect(screen.getByText('Reconnecting… QEMU connection lost (4001)')).toBeTruthy();
    expect(await screen.findByText('Last known state; not connected.')).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Run state' }).textContent).toBe('prelaunch');

    await waitFor(() => expect(sockets.sockets).toHaveLength(2), { timeout: 1000 });
    const again = sockets.last();
    await act(async () => again.handshake());
    expect(await screen.findByRole('status', { name: 'Connection: connected' })).toBeTruthy();
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'running') }));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Run state' }).textContent).toBe('running'),
    );
    expect(screen.queryByText('Last known state; not connected.')).toBeNull();
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
