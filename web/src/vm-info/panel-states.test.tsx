// Every panel's loading, error and "not available" states, and its data with raw JSON and refresh time.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Json } from '../../../protocol/qmp.ts';
import { cleanupApp, VM1 } from '../test-support/render-app.tsx';
import {
  answer,
  answerError,
  commandList,
  connectedAt,
  sentCount,
  stubConsoleApi,
} from '../test-support/test-console.ts';

afterEach(cleanupApp);

interface PanelCase {
  path: string;
  title: string;
  /** The command whose absence makes the whole panel "not available". */
  commands: string[];
  /** Replies that fill the panel. */
  replies: Record<string, Json>;
  /** Text the filled panel shows. */
  shows: (string | RegExp)[];
}

const CASES: PanelCase[] = [
  {
    path: 'block',
    title: 'Block devices',
    commands: ['query-block'],
    replies: {
      'query-block': [
        {
          device: 'disk0',
          qdev: '/machine/peripheral-anon/device[1]',
          removable: false,
          locked: false,
          'io-status': 'ok',
          inserted: { file: 'disk0.img', 'node-name': '#block452', ro: false, drv: 'raw' },
        },
      ],
      'query-blockstats': [],
    },
    shows: ['disk0', '#block452', 'disk0.img'],
  },
  {
    path: 'cpus',
    title: 'CPUs',
    commands: ['query-cpus-fast'],
    replies: {
      'query-cpus-fast': [
        {
          'cpu-index': 0,
          'qom-path': '/machine/unattached/device[0]',
          'thread-id': 4242,
          target: 'x86_64',
          props: { 'socket-id': 0, 'core-id': 0, 'thread-id': 0 },
        },
      ],
    },
    shows: [
      /^1 vCPU, target/,
      'x86_64',
      'socket 0, core 0, thread 0',
      '4242',
      '/machine/unattached/device[0]',
    ],
  },
  {
    path: 'memory',
    title: 'Memory',
    commands: ['query-memory-size-summary'],
    replies: { 'query-memory-size-summary': { 'base-memory': 134217728, 'plugged-memory': 0 } },
    shows: ['128 MiB', '(134,217,728 bytes)'],
  },
  {
    path: 'chardev',
    title: 'Character devices',
    commands: ['query-chardev'],
    replies: { 'query-chardev': [{ label: 'serial0', filename: 'pty:/dev/pts/3', 'frontend-open': true }] },
    shows: ['serial0', 'pty:/dev/pts/3', 'yes'],
  },
  {
    path: 'pci',
    title: 'PCI',
    commands: ['query-pci'],
    replies: {
      'query-pci': [
        {
          bus: 0,
          devices: [
            {
              bus: 0,
              slot: 1,
              function: 1,
              class_info: { class: 257, desc: 'IDE controller' },
              id: { vendor: 0x8086, device: 0x7010, subsystem: 0x1100, 'subsystem-vendor': 0x1af4 },
              irq_pin: 0,
              qdev_id: '',
              regions: [{ bar: 4, type: 'io', address: 0xc000, size: 16 }],
            },
          ],
        },
      ],
    },
    shows: ['Bus 00', '00:01.1', /IDE controller/, /\[8086:7010\] Intel/, 'BAR4: I/O 16 B at 0xc000'],
  },
  {
    path: 'display',
    title: 'Display',
    commands: ['query-vnc', 'query-spice'],
    replies: {
      'query-vnc': {
        enabled: true,
        host: '127.0.0.1',
        service: '5900',
        family: 'ipv4',
        auth: 'none',
        clients: [],
      },
      'query-spice': { enabled: false, migrated: false, 'mouse-mode': 'client' },
    },
    shows: ['127.0.0.1:5900', 'SPICE server off.'],
  },
  {
    path: 'qom',
    title: 'QOM browser',
    commands: ['qom-list'],
    replies: { 'qom-list': [{ name: 'type', type: 'string' }] },
    shows: ['/machine', 'type'],
  },
];

/** Opens the panel's page and answers the status panel's own queries. */
async function openPanel(path: string, commands: Json) {
  stubConsoleApi({ vms: [VM1] });
  const app = await connectedAt(`/vms/vm1/${path}`);
  await answer(app.socket, 'query-commands', commands);
  return app;
}

describe.each(CASES)('the $title panel (/vms/vm1/$path)', ({ path, title, commands, replies, shows }) => {
  it('shows a loading state until QEMU answers', async () => {
    const { socket } = await openPanel(path, commandList());
    const region = await screen.findByRole('region', { name: title });
    await waitFor(() => socket.lastSent(commands[0]!));
    expect(region.getAttribute('aria-busy')).toBe('true');
    expect(within(region).getByText(`Loading ${title.toLowerCase()}…`)).toBeTruthy();
  });

  it('shows the data, when it was refreshed and the raw reply', async () => {
    const { socket } = await openPanel(path, commandList());
    for (const [command, value] of Object.entries(replies)) await answer(socket, command, value);
    const region = await screen.findByRole('region', { name: title });
    for (const text of shows) expect(await within(region).findAllByText(text)).not.toHaveLength(0);
    expect(region.getAttribute('aria-busy')).toBeNull();
    expect(within(region).getByText(/^Last refreshed/)).toBeTruthy();
    const raw = within(region).getByText('Raw JSON').closest('details')!;
    expect(raw.querySelector('pre')!.textContent).toContain('"return"');
    expect(raw.open).toBe(false);
  });

  it("shows QMP's error class and description, and retries", async () => {
    const { socket } = await openPanel(path, commandList());
    const failing = commands[0]!;
    for (const [command, value] of Object.entries(replies)) {
      if (command === failing) await answerError(socket, command, 'GenericError', 'Something broke');
      else await answer(socket, command, value);
    }
    const region = await screen.findByRole('region', { name: title });
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toContain(`${failing} failed: GenericError: Something broke`);
    expect(within(region).getByText('Raw JSON').closest('details')!.textContent).toContain(
      '"class": "GenericError"',
    );

    const before = sentCount(socket, failing);
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(sentCount(socket, failing)).toBe(before + 1));
  });

  it('says the command is not available when this QEMU lacks it, and never sends it', async () => {
    const { socket } = await openPanel(path, commandList(commands));
    const region = await screen.findByRole('region', { name: title });
    const notice = await within(region).findByText(/^Not available: this QEMU has no/);
    for (const command of commands) expect(notice.textContent).toContain(command);
    expect(within(region).queryByRole('button', { name: `Refresh ${title}` })).toBeNull();
    for (const command of commands) expect(sentCount(socket, command)).toBe(0);
  });
});
