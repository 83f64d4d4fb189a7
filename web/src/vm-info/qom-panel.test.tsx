import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupApp, VM1 } from '../test-support/render-app.tsx';
import { answer, commandList, connectedAt, sentCount, stubConsoleApi } from '../test-support/test-console.ts';
import { childType, formatQomValue, joinQomPath, normalizeQomPath, splitProperties } from './qom-panel.tsx';

afterEach(cleanupApp);

const MACHINE = [
  { name: 'type', type: 'string' },
  { name: 'peripheral-anon', type: 'child<container>' },
  { name: 'smp', type: 'SMPConfiguration' },
];
const ANON = [
  { name: 'type', type: 'string' },
  { name: 'device[0]', type: 'child<ide-hd>' },
];

async function qomPage(session?: unknown) {
  stubConsoleApi({ vms: [VM1], ...(session ? { session: session as never } : {}) });
  const app = await connectedAt('/vms/vm1/qom');
  await answer(app.socket, 'query-commands', commandList());
  await waitFor(() => expect(app.socket.lastSent('qom-list').arguments).toEqual({ path: '/machine' }));
  await act(async () => app.socket.reply('qom-list', MACHINE));
  return { ...app, region: await screen.findByRole('region', { name: 'QOM browser' }) };
}

describe('QOM browser', () => {
  it('lists /machine, expands a child only when asked, and reads a property on demand', async () => {
    const { socket, region } = await qomPage();
    const root = await within(region).findByRole('button', { name: '/machine' });
    expect(root.getAttribute('aria-expanded')).toBe('true');
    const anon = within(region).getByRole('button', { name: 'peripheral-anon' });
    expect(anon.getAttribute('aria-expanded')).toBe('false');
    expect(sentCount(socket, 'qom-list')).toBe(1);
    expect(sentCount(socket, 'qom-get')).toBe(0);

    await userEvent.click(anon);
    expect(anon.getAttribute('aria-expanded')).toBe('true');
    expect(within(region).getByText('Listing…')).toBeTruthy();
    await waitFor(() =>
      expect(socket.lastSent('qom-list').arguments).toEqual({ path: '/machine/peripheral-anon' }),
    );
    await act(async () => socket.reply('qom-list', ANON));
    expect(await within(region).findByRole('button', { name: 'device[0]' })).toBeTruthy();
    expect(within(region).getByRole('list', { name: 'Properties of /machine/peripheral-anon' })).toBeTruthy();

    await userEvent.click(within(region).getByRole('button', { name: 'Read smp of /machine' }));
    await waitFor(() =>
      expect(socket.lastSent('qom-get').arguments).toEqual({ path: '/machine', property: 'smp' }),
    );
    await act(async () => socket.reply('qom-get', { cpus: 1, maxcpus: 1 }));
    const value = await within(region).findByRole('status', { name: 'smp of /machine' });
    await waitFor(() => expect(value.textContent).toBe('{"cpus":1,"maxcpus":1}'));

    // Read again asks QEMU again.
    await userEvent.click(within(region).getByRole('button', { name: 'Read again smp of /machine' }));
    await waitFor(() => expect(sentCount(socket, 'qom-get')).toBe(2));
  });

  it("shows a property's QMP error where its value would be", async () => {
    const { socket, region } = await qomPage();
    await userEvent.click(within(region).getByRole('button', { name: 'Read type of /machine' }));
    await waitFor(() => socket.lastSent('qom-get'));
    await act(async () => socket.replyError('qom-get', 'GenericError', 'Property cannot be read'));
    const value = await within(region).findByRole('status', { name: 'type of /machine' });
    await waitFor(() => expect(value.textContent).toBe('GenericError: Property cannot be read'));
  });

  it('shows a failing listing with its QMP error and a Retry', async () => {
    const { socket, region } = await qomPage();
    await userEvent.click(within(region).getByRole('button', { name: 'peripheral-anon' }));
    await waitFor(() => expect(sentCount(socket, 'qom-list')).toBe(2));
    await act(async () =>
      socket.replyError('qom-list', 'DeviceNotFound', "Device '/machine/peripheral-anon' not found"),
    );
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toContain("DeviceNotFound: Device '/machine/peripheral-anon' not found");
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(sentCount(socket, 'qom-list')).toBe(3));
  });

  it('disables reading for a viewer (qom-get is not on the viewer list)', async () => {
    const { region } = await qomPage({
      role: 'viewer',
      auth: true,
      policy: { readOnly: false, deny: [], viewerAllow: ['query-*', 'qom-list'] },
    });
    await waitFor(() =>
      expect(
        (within(region).getByRole('button', { name: 'Read type of /machine' }) as HTMLButtonElement).disabled,
      ).toBe(true),
    );
    expect(region.textContent).toContain('Viewers may not run qom-get');
  });
});

describe('QOM roots and path search', () => {
  it('offers /objects and /chardevs as roots, listed only when opened', async () => {
    const { socket, region } = await qomPage();
    const chardevs = await within(region).findByRole('button', { name: '/chardevs' });
    expect(within(region).getByRole('button', { name: '/objects' }).getAttribute('aria-expanded')).toBe(
      'false',
    );
    expect(sentCount(socket, 'qom-list')).toBe(1);
    await userEvent.click(chardevs);
    await waitFor(() => expect(socket.lastSent('qom-list').arguments).toEqual({ path: '/chardevs' }));
    await act(async () => socket.reply('qom-list', [{ name: 'serial0', type: 'child<chardev-socket>' }]));
    expect(await within(region).findByRole('button', { name: 'serial0' })).toBeTruthy();
  });

  it('opens a typed path directly and explains a path that is not one', async () => {
    const { socket, region } = await qomPage();
    const input = within(region).getByRole('textbox', { name: 'Open QOM path' });
    await userEvent.type(input, 'machine{Enter}');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(region.textContent).toContain('A QOM path starts with /');
    await userEvent.clear(input);
    await userEvent.type(input, '/machine/peripheral-anon/{Enter}');
    await waitFor(() =>
      expect(socket.lastSent('qom-list').arguments).toEqual({ path: '/machine/peripheral-anon' }),
    );
    await act(async () => socket.reply('qom-list', ANON));
    expect(await within(region).findByRole('button', { name: '/machine/peripheral-anon' })).toBeTruthy();
    expect(within(region).getAllByRole('button', { name: 'device[0]' }).length).toBeGreaterThan(0);
  });
});

describe('QOM helpers', () => {
  it('normalizes typed paths', () => {
    expect(normalizeQomPath(' /objects/ ')).toBe('/objects');
    expect(normalizeQomPath('//machine//unattached')).toBe('/machine/unattached');
    expect(normalizeQomPath('machine')).toBeNull();
    expect(normalizeQomPath('/a b')).toBeNull();
  });

  it('tells child objects from properties', () => {
    expect(childType('child<ide-hd>')).toBe('ide-hd');
    expect(childType('link<isa-device>')).toBeNull();
    const { children, properties } = splitProperties(MACHINE);
    expect(children.map((c) => c.name)).toEqual(['peripheral-anon']);
    expect(properties.map((p) => p.name)).toEqual(['type', 'smp']);
  });

  it('joins paths and formats values', () => {
    expect(joinQomPath('/machine', 'unattached')).toBe('/machine/unattached');
    expect(joinQomPath('/', 'machine')).toBe('/machine');
    expect(formatQomValue('pc-i440fx-7.2-machine')).toBe('pc-i440fx-7.2-machine');
    expect(formatQomValue(true)).toBe('true');
  });
});
