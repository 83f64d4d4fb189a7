import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupApp, VM1 } from '../test-support/render-app.tsx';
import {
  answer,
  answerError,
  commandList,
  connectedAt,
  sentCount,
  stubConsoleApi,
} from '../test-support/test-console.ts';
import { describeAcceleration, machineNameFromQomType } from './overview-panel.tsx';

afterEach(cleanupApp);

const MACHINES = [
  { name: 'pc-i440fx-7.2', alias: 'pc', 'is-default': true, 'cpu-max': 255 },
  { name: 'pc-q35-7.2', alias: 'q35', 'cpu-max': 288 },
];

async function overview(commands = commandList(), session?: unknown) {
  stubConsoleApi({ vms: [VM1], ...(session ? { session: session as never } : {}) });
  const app = await connectedAt('/vms/vm1');
  await answer(app.socket, 'query-commands', commands);
  return { ...app, region: await screen.findByRole('region', { name: 'Overview' }) };
}

/** The `<dd>` of the fact named `term`. */
function fact(region: HTMLElement, term: string): HTMLElement {
  const dt = within(region).getByText(term, { selector: 'dt' });
  return dt.nextElementSibling as HTMLElement;
}

describe('Overview panel', () => {
  it('shows a loading state until its queries answer', async () => {
    const { region } = await overview();
    expect(within(region).getByText('Loading overview…')).toBeTruthy();
  });

  it("shows QEMU's old vm-info items: no balloon device, HPET not available (from query-commands)", async () => {
    const { socket, region } = await overview();
    await answer(socket, 'query-name', { name: 'web01' });
    await answer(socket, 'query-uuid', { UUID: '2d1d7f3a-3c57-4b7e-9a3e-6a2f7b9c0e11' });
    await answer(socket, 'query-kvm', { enabled: false, present: true });
    await answer(socket, 'query-target', { arch: 'x86_64' });
    await answer(socket, 'query-machines', MACHINES);
    // 7.2 has no is-current: the panel asks the object tree for /machine's type.
    await waitFor(() =>
      expect(socket.lastSent('qom-get').arguments).toEqual({ path: '/machine', property: 'type' }),
    );
    await answer(socket, 'qom-get', 'pc-i440fx-7.2-machine');
    await answerError(socket, 'query-balloon', 'DeviceNotActive', 'No balloon device has been activated');

    await within(region).findByText('web01');
    expect(fact(region, 'UUID').textContent).toBe('2d1d7f3a-3c57-4b7e-9a3e-6a2f7b9c0e11');
    expect(fact(region, 'QEMU version').textContent).toBe('7.2.22');
    expect(fact(region, 'Package').textContent).toBe('Debian 1:7.2+dfsg-7+deb12u18+b3');
    expect(fact(region, 'Acceleration').textContent).toBe('TCG (KVM available but not enabled)');
    expect(fact(region, 'Target').textContent).toBe('x86_64');
    await waitFor(() => expect(fact(region, 'Machine').textContent).toBe('pc-i440fx-7.2 (alias pc)'));
    expect(fact(region, 'Balloon').textContent).toBe('no balloon device');
    expect(fact(region, 'HPET').textContent).toBe('not available (this QEMU has no query-hpet)');
    expect(sentCount(socket, 'query-hpet')).toBe(0);
    // DeviceNotActive is an answer, not a failure of the panel.
    expect(within(region).queryByRole('alert')).toBeNull();
  });

  it('calls only what a viewer may run: no qom-get, and the machine fact says it needs an operator', async () => {
    const { socket, region } = await overview(commandList(), {
      role: 'viewer',
      auth: true,
      policy: { readOnly: false, deny: [], viewerAllow: ['query-*'] },
    });
    await answer(socket, 'query-name', { name: 'web01' });
    await answer(socket, 'query-uuid', { UUID: '2d1d7f3a-3c57-4b7e-9a3e-6a2f7b9c0e11' });
    await answer(socket, 'query-machines', MACHINES);
    await within(region).findByText('web01');
    await waitFor(() =>
      expect(fact(region, 'Machine').textContent).toBe('needs operator (read with qom-get)'),
    );
    expect(sentCount(socket, 'qom-get')).toBe(0);
    expect(region.textContent).not.toContain('GenericError');
  });

  it('uses is-current where QEMU has it, shows the balloon size and asks query-hpet where it exists', async () => {
    const { socket, region } = await overview(commandList([], ['query-hpet']));
    await answer(socket, 'query-name', {});
    await answer(socket, 'query-uuid', { UUID: '00000000-0000-0000-0000-000000000000' });
    await answer(socket, 'query-kvm', { enabled: true, present: true });
    await answer(socket, 'query-target', { arch: 'aarch64' });
    await answer(socket, 'query-machines', [{ name: 'virt-8.2', 'is-current': true, 'cpu-max': 512 }]);
    await answer(socket, 'query-balloon', { actual: 1073741824 });
    await answer(socket, 'query-hpet', { enabled: true });

    await waitFor(() => expect(fact(region, 'Balloon').textContent).toBe('1 GiB'));
    expect(fact(region, 'Name').textContent).toBe('not set (no -name)');
    expect(fact(region, 'UUID').textContent).toContain('(not set)');
    expect(fact(region, 'Acceleration').textContent).toBe('KVM');
    expect(fact(region, 'Machine').textContent).toBe('virt-8.2');
    expect(fact(region, 'HPET').textContent).toBe('enabled');
    expect(sentCount(socket, 'qom-get')).toBe(0);
  });

  it('shows a failing fact with its QMP error class, and a failing panel query as an alert', async () => {
    const { socket, region } = await overview();
    await answerError(socket, 'query-name', 'GenericError', 'name broke');
    await answer(socket, 'query-uuid', { UUID: '00000000-0000-0000-0000-000000000000' });
    await answerError(socket, 'query-kvm', 'GenericError', 'kvm broke');
    await answer(socket, 'query-target', { arch: 'x86_64' });
    await answer(socket, 'query-machines', MACHINES);
    await answerError(
      socket,
      'qom-get',
      'GenericError',
      "QMP Console policy denies 'qom-get' to the viewer role",
    );
    await answer(socket, 'query-balloon', { actual: 1 });
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toContain('query-name failed: GenericError: name broke');
    expect(within(region).queryByText('Loading overview…')).toBeNull();
  });

  it('shows a fact whose own query failed inline, with its QMP error class', async () => {
    const { socket, region } = await overview();
    await answer(socket, 'query-name', { name: 'web01' });
    await answer(socket, 'query-uuid', { UUID: '00000000-0000-0000-0000-000000000000' });
    await answerError(socket, 'query-kvm', 'GenericError', 'kvm broke');
    await answer(socket, 'query-target', { arch: 'x86_64' });
    await answer(socket, 'query-machines', MACHINES);
    await answerError(
      socket,
      'qom-get',
      'GenericError',
      "QMP Console policy denies 'qom-get' to the viewer role",
    );
    await answerError(socket, 'query-balloon', 'GenericError', 'balloon broke');
    await waitFor(() => expect(fact(region, 'Acceleration').textContent).toBe('GenericError: kvm broke'));
    expect(fact(region, 'Balloon').textContent).toBe('GenericError: balloon broke');
    expect(fact(region, 'Machine').textContent).toBe(
      "GenericError: QMP Console policy denies 'qom-get' to the viewer role",
    );
  });

  it('says which commands are missing when this QEMU lacks what the panel needs', async () => {
    const { region } = await overview(commandList(['query-name']));
    expect(await within(region).findByText(/^Not available: this QEMU has no/)).toBeTruthy();
  });
});

describe('overview helpers', () => {
  it('names the accelerator', () => {
    expect(describeAcceleration({ enabled: true, present: true })).toBe('KVM');
    expect(describeAcceleration({ enabled: false, present: false })).toBe('TCG (no KVM)');
  });

  it('turns a QOM machine type into the machine name', () => {
    expect(machineNameFromQomType('pc-i440fx-7.2-machine')).toBe('pc-i440fx-7.2');
    expect(machineNameFromQomType('none')).toBe('none');
  });
});
