import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupApp, renderApp, stubVmsApi, VM1, VM2_DOWN } from '../test-support/render-app.tsx';

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
    expect(calls).toEqual(['/api/vms']);
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
