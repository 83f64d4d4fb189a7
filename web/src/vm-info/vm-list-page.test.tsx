import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { HEALTHY } from '../test-support/fake-event-source.ts';
import { cleanupApp, renderApp, stubVmsApi, VM1, VM2_DOWN } from '../test-support/render-app.tsx';
import { stubConsoleApi, withRunState } from '../test-support/test-console.ts';
import { formatDuration } from '../ui/since.tsx';
import { countOpenAlerts } from './queries.ts';

afterEach(cleanupApp);

describe('VM list page', () => {
  it('shows a loading state while /api/vms is pending', async () => {
    stubVmsApi(new Promise<never>(() => {}));
    renderApp('/');
    expect(await screen.findByText('Loading VMs…')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Virtual machines' })).toBeTruthy();
  });

  it('lists each VM as a link named after it, with address, state, version and error', async () => {
    stubVmsApi([VM1, VM2_DOWN]);
    const { location } = renderApp('/');

    const list = await screen.findByRole('list', { name: 'Virtual machines' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);

    const vm1 = items[0]!;
    const link = within(vm1).getByRole('link', { name: 'vm1' });
    expect(link.getAttribute('href')).toBe('/vms/vm1');
    expect(within(vm1).getByText('unix:/run/qmp-console/vm1.sock')).toBeTruthy();
    expect(within(vm1).getByText('connected')).toBeTruthy();
    expect(within(vm1).getByText('7.2.22')).toBeTruthy();
    expect(within(vm1).queryByText('Error')).toBeNull();

    const vm2 = items[1]!;
    expect(within(vm2).getByRole('link', { name: 'vm2' })).toBeTruthy();
    expect(within(vm2).getByText('disconnected')).toBeTruthy();
    expect(within(vm2).getAllByText('unknown')).toHaveLength(2); // run state and QEMU version
    expect(within(vm2).getByText('connect ECONNREFUSED 127.0.0.1:4444')).toBeTruthy();

    await userEvent.click(link);
    expect(location.history?.at(-1)).toBe('/vms/vm1');
    expect(await screen.findByRole('heading', { level: 1, name: 'vm1' })).toBeTruthy();
  });

  it('says so when no VM is configured', async () => {
    stubVmsApi([]);
    renderApp('/');
    expect(await screen.findByText('No VMs are configured.')).toBeTruthy();
  });

  it('shows an alert with the HTTP error, and recovers on Retry', async () => {
    stubVmsApi(500);
    renderApp('/');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not load the VM list: GET \/api\/vms: 500/);

    const { calls } = stubVmsApi([VM1]);
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'vm1' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    // Besides the list, only the screen thumbnail of the connected VM is asked for.
    expect(calls.filter((url) => !url.endsWith('/screen.png'))).toEqual(['/api/vms']);
  });

  it('has a header linking home and no connection indicator outside a VM', async () => {
    stubVmsApi([VM1]);
    renderApp('/');
    const home = screen.getByRole('link', { name: 'QMP Console' });
    expect(home.getAttribute('href')).toBe('/');
    await screen.findByRole('link', { name: 'vm1' });
    expect(screen.queryByRole('status', { name: /^Connection:/ })).toBeNull();
  });
});

describe('VM list page: run state and open alerts', () => {
  const alert = (vm: string, id: number) => ({ id, vm, event: 'BLOCK_IO_ERROR', state: 'open' });

  it('shows the run state the console keeps, opens no QMP connection, and follows the console stream', async () => {
    const prelaunch = withRunState(VM1, 'prelaunch');
    const api = stubConsoleApi({ vms: [prelaunch, VM2_DOWN] });
    const { sockets } = renderApp('/');
    const items = within(await screen.findByRole('list', { name: 'Virtual machines' })).getAllByRole(
      'listitem',
    );
    expect(await within(items[0]!).findByText('prelaunch')).toBeTruthy();
    expect(within(items[0]!).getByText(/QEMU was launched with -S/)).toBeTruthy();
    expect(within(items[1]!).getAllByText('unknown')).toHaveLength(2); // run state and QEMU version

    // QEMU stops on a disk error: the console says so on its stream, the list follows without a fetch.
    const stream = await api.consoleStream();
    await act(async () =>
      stream.message({ type: 'snapshot', vms: [prelaunch, VM2_DOWN], alerts: [], journal: HEALTHY }),
    );
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'io-error') }));
    expect(await within(items[0]!).findByText('io-error')).toBeTruthy();
    expect(sockets.sockets).toEqual([]);
  });

  it('counts open alerts per VM when the console has the alerts API', async () => {
    const { calls } = stubConsoleApi({
      vms: [VM1, VM2_DOWN],
      alerts: { alerts: [alert('vm1', 1), alert('vm1', 2), alert('vm9', 3)] } as never,
    });
    renderApp('/');
    const items = within(await screen.findByRole('list', { name: 'Virtual machines' })).getAllByRole(
      'listitem',
    );
    // The count is a link: to the VM's open alerts when it has several, straight to the alert when one.
    const two = await within(items[0]!).findByRole('link', { name: '2 open alerts on vm1' });
    expect(two.textContent).toBe('2 open');
    expect(two.getAttribute('href')).toBe('/alerts?state=open&vm=vm1');
    expect(within(items[1]!).getByText('none')).toBeTruthy();
    expect(calls).toContain('/api/alerts?state=open&limit=1000');
  });

  it("links a VM's one open alert straight to it", async () => {
    stubConsoleApi({ vms: [VM1], alerts: { alerts: [alert('vm1', 41)] } as never });
    renderApp('/');
    const one = await screen.findByRole('link', { name: '1 open alert on vm1' });
    expect(one.getAttribute('href')).toBe('/alerts/41');
  });

  it('leaves the alerts out while the console answers 404', async () => {
    const { calls } = stubConsoleApi({ vms: [VM1] });
    renderApp('/');
    const items = within(await screen.findByRole('list', { name: 'Virtual machines' })).getAllByRole(
      'listitem',
    );
    await waitFor(() => expect(calls.some((u) => u.startsWith('/api/alerts'))).toBe(true));
    // Retried once (the app's default), then left out: no error, no count.
    await waitFor(() => expect(within(items[0]!).queryByText('…')).toBeNull(), { timeout: 3000 });
    expect(within(items[0]!).queryByText('Open alerts')).toBeNull();
    expect(within(items[0]!).queryByText('unknown')).toBeNull();
    expect(countOpenAlerts([alert('a', 1), { vm: 7 }, null])).toEqual({
      byVm: new Map([['a', 1]]),
      idsByVm: new Map([['a', [1]]]),
      truncated: false,
    });
  });
});

describe('VM list page: connection truth and accents', () => {
  it('says when a lost VM was lost and for how long, from the console time retries do not move', async () => {
    const lostAt = new Date(Date.now() - 125_000).toISOString();
    stubConsoleApi({ vms: [VM1, { ...VM2_DOWN, since: lostAt }] });
    renderApp('/');
    const items = within(await screen.findByRole('list', { name: 'Virtual machines' })).getAllByRole(
      'listitem',
    );
    const lost = items[1]!;
    await waitFor(() => expect(lost.textContent).toMatch(/lost at .+, down for 2 min [5-9] s/));
    expect(
      within(lost)
        .getByText((_, el) => el?.tagName === 'TIME')
        .getAttribute('datetime'),
    ).toBe(lostAt);
    expect(lost.getAttribute('data-attention')).toBe('lost');
    expect(items[0]!.textContent).toMatch(/connected since/);
    expect(items[0]!.getAttribute('data-attention')).toBeNull();
  });

  it('gives a connected VM the alert accent while it has an open alert or sits in io-error', async () => {
    stubConsoleApi({
      vms: [
        withRunState(VM1, 'io-error'),
        { ...withRunState(VM1, 'running'), name: 'vm3' },
        {
          ...withRunState(VM1, 'running'),
          name: 'vm4',
        },
      ],
      alerts: { alerts: [{ id: 1, vm: 'vm3', event: 'BLOCK_IO_ERROR', state: 'open' }] } as never,
    });
    renderApp('/');
    const items = within(await screen.findByRole('list', { name: 'Virtual machines' })).getAllByRole(
      'listitem',
    );
    await waitFor(() => expect(items[1]!.getAttribute('data-attention')).toBe('alert'));
    expect(items[0]!.getAttribute('data-attention')).toBe('alert');
    expect(items[2]!.getAttribute('data-attention')).toBeNull();
  });
});

describe('VM list: search and sort', () => {
  it('filters by name or address and sorts the VMs needing attention first', async () => {
    const vm3 = { ...withRunState(VM1, 'io-error'), name: 'vm3', address: 'unix:/run/vm3.sock' };
    stubConsoleApi({ vms: [VM1, VM2_DOWN, vm3] });
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Virtual machines' });
    const names = () =>
      within(list)
        .getAllByRole('heading', { level: 2 })
        .map((h) => h.textContent);
    expect(names()).toEqual(['vm1', 'vm2', 'vm3']);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'attention');
    expect(names()).toEqual(['vm2', 'vm3', 'vm1']);
    await user.type(screen.getByRole('searchbox', { name: 'Search VMs' }), '4444');
    expect(names()).toEqual(['vm2']);
    await user.clear(screen.getByRole('searchbox', { name: 'Search VMs' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search VMs' }), 'nomatch');
    expect(screen.getByText('No VM matches “nomatch”.')).toBeTruthy();
  });
});

describe('formatDuration', () => {
  it('reads as an operator would say it', () => {
    expect(formatDuration(400)).toBe('0 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_725_000)).toBe('1 h 2 min');
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe('3 d 1 h');
  });
});
