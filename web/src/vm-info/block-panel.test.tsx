import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanupApp, VM1 } from '../test-support/render-app.tsx';
import {
  answer,
  commandList,
  connectedAt,
  sentCount,
  stubConsoleApi,
  withRunState,
} from '../test-support/test-console.ts';
import { joinBlockStats, troubledDevices } from './block-panel.tsx';
import type { BlockInfo, BlockStats } from './qapi.ts';

afterEach(() => {
  vi.useRealTimers();
  cleanupApp();
});

const stats = (rd: number, failed = 0) => ({
  rd_bytes: rd,
  wr_bytes: 512,
  rd_operations: 3,
  wr_operations: 1,
  flush_operations: 0,
  failed_rd_operations: failed,
  failed_wr_operations: 0,
  failed_flush_operations: 0,
});

const device = (id: string, io: 'ok' | 'failed' | 'nospace', extra: Partial<BlockInfo> = {}): BlockInfo => ({
  device: id,
  qdev: `/machine/peripheral/${id}`,
  removable: false,
  locked: false,
  'io-status': io,
  inserted: {
    file: `${id}.img`,
    'node-name': `#node-${id}`,
    ro: false,
    drv: 'raw',
    image: { filename: `${id}.img`, format: 'raw', 'virtual-size': 16777216 },
  },
  ...extra,
});

const BLOCK_OK = [
  device('bad0', 'ok'),
  device('cd0', 'ok', { removable: true, tray_open: false, locked: true }),
];
const BLOCKSTATS = [
  { device: 'bad0', stats: stats(0, 0) },
  { device: 'cd0', stats: stats(2048) },
];

async function blockPage() {
  const api = stubConsoleApi({ vms: [withRunState(VM1, 'prelaunch')] });
  const app = await connectedAt('/vms/vm1/block');
  await answer(app.socket, 'query-commands', commandList());
  return { ...app, api, region: await screen.findByRole('region', { name: 'Block devices' }) };
}

const row = (region: HTMLElement, name: string) =>
  within(region).getByRole('row', { name: new RegExp(`^${name}`) });

describe('Block devices panel', () => {
  it('joins query-block with query-blockstats, one row per device', async () => {
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', BLOCK_OK);
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    const cd0 = await waitFor(() => row(region, 'cd0'));
    const cells = within(cd0)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells).toEqual([
      '#node-cd0',
      'cd0.img16 MiB',
      'raw',
      'no',
      'removable, tray closed, locked',
      'ok',
      '2 KiB3 ops',
      '512 B1 ops',
      '00 rd · 0 wr',
    ]);
  });

  it('highlights failed and nospace, and the status panel names the disk, after BLOCK_IO_ERROR', async () => {
    const { socket, region, api } = await blockPage();
    await answer(socket, 'query-block', BLOCK_OK);
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    await waitFor(() => row(region, 'bad0'));
    const stream = await api.consoleStream();

    await act(async () =>
      socket.event('BLOCK_IO_ERROR', {
        device: 'bad0',
        'node-name': '#node-bad0',
        operation: 'read',
        action: 'stop',
        nospace: false,
        reason: 'Input/output error',
      }),
    );
    await act(async () => socket.event('STOP'));
    // The console's stream brings the run state; the event refreshes exactly its QMP queries.
    await act(async () => stream.message({ type: 'vm', vm: withRunState(VM1, 'io-error') }));
    await answer(socket, 'query-block', [device('bad0', 'failed'), device('cd0', 'nospace')]);
    await answer(socket, 'query-blockstats', [
      { device: 'bad0', stats: stats(0, 4) },
      { device: 'cd0', stats: stats(2048) },
    ]);

    await waitFor(() =>
      expect(within(row(region, 'bad0')).getByRole('cell', { name: 'failed' })).toBeTruthy(),
    );
    expect(row(region, 'bad0').getAttribute('data-io-status')).toBe('failed');
    expect(within(row(region, 'cd0')).getByRole('cell', { name: 'nospace' })).toBeTruthy();
    expect(within(row(region, 'bad0')).getByText('4 rd · 0 wr')).toBeTruthy();
    const status = screen.getByRole('region', { name: 'Status' });
    expect(within(status).getByRole('status', { name: 'Run state' }).textContent).toBe('io-error');
    expect(status.textContent).toContain('Disk trouble: bad0 failed, cd0 is full (nospace)');
    expect(within(status).getByRole('link', { name: 'See block devices' }).getAttribute('href')).toBe(
      '/vms/vm1/block',
    );
  });

  it('explains failed io-status beside 0 failed ops (rerror=stop retries instead of counting)', async () => {
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', [device('bad0', 'failed'), device('ok0', 'ok')]);
    await answer(socket, 'query-blockstats', [
      { device: 'bad0', stats: stats(0, 0) },
      { device: 'ok0', stats: stats(0, 0) },
    ]);
    await waitFor(() => expect(row(region, 'bad0').textContent).toContain('retries the request on resume'));
    expect(row(region, 'bad0').textContent).toContain('rerror/werror=stop');
    expect(row(region, 'ok0').textContent).not.toContain('retries the request');
  });

  it('reads io-status again after RESUME (cont resets it in QEMU)', async () => {
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', [device('bad0', 'failed')]);
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    await waitFor(() =>
      expect(within(row(region, 'bad0')).getByRole('cell', { name: 'failed' })).toBeTruthy(),
    );
    await act(async () => socket.event('RESUME'));
    await waitFor(() => expect(sentCount(socket, 'query-block')).toBe(2));
    await answer(socket, 'query-block', [device('bad0', 'ok')]);
    await waitFor(() => expect(within(row(region, 'bad0')).getByRole('cell', { name: 'ok' })).toBeTruthy());
  });

  it('refreshes statistics every 5 s until the user pauses it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', BLOCK_OK);
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    const toggle = within(region).getByRole('checkbox', {
      name: 'Refresh statistics every 5 s',
    }) as HTMLInputElement;
    expect(toggle.checked).toBe(true);

    const before = sentCount(socket, 'query-blockstats');
    await act(async () => vi.advanceTimersByTime(4900));
    expect(sentCount(socket, 'query-blockstats')).toBe(before);
    await act(async () => vi.advanceTimersByTime(200));
    await waitFor(() => expect(sentCount(socket, 'query-blockstats')).toBe(before + 1));
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    // query-block does not poll: events refresh it.
    expect(sentCount(socket, 'query-block')).toBe(1);

    await userEvent.setup({ advanceTimers: vi.advanceTimersByTime }).click(toggle);
    expect(toggle.checked).toBe(false);
    await act(async () => vi.advanceTimersByTime(20_000));
    expect(sentCount(socket, 'query-blockstats')).toBe(before + 1);
  });

  it('pauses polling while disconnected: no failure piles up, and Last refreshed is the last success', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', BLOCK_OK);
    await answer(socket, 'query-blockstats', BLOCKSTATS);
    const refreshed = () =>
      within(region)
        .getByText(/^Last refreshed/)
        .querySelector('time')!
        .getAttribute('datetime');
    await waitFor(() => expect(refreshed()).toBeTruthy());
    const lastSuccess = refreshed();
    await act(async () => socket.serverClose(4001, 'QEMU went away'));
    await waitFor(() => expect(region.textContent).toContain('(paused while disconnected)'));
    await act(async () => vi.advanceTimersByTime(16_000));
    expect(within(region).queryByRole('alert')).toBeNull();
    expect(region.textContent).not.toContain('failed: ');
    expect(refreshed()).toBe(lastSuccess);
  });

  it('shows a blockstats failure without hiding the devices', async () => {
    const { socket, region } = await blockPage();
    await answer(socket, 'query-block', BLOCK_OK);
    await waitFor(() => socket.lastSent('query-blockstats'));
    await act(async () => socket.replyError('query-blockstats', 'GenericError', 'stats broke'));
    expect((await within(region).findByRole('alert')).textContent).toContain(
      'query-blockstats failed: GenericError: stats broke',
    );
    expect(row(region, 'bad0')).toBeTruthy();
  });
});

describe('block helpers', () => {
  it('matches stats by device name, or by qdev / node name when the name is empty', () => {
    const anon: BlockInfo = { ...device('', 'ok'), qdev: '/machine/x' };
    const s: BlockStats[] = [
      { device: 'bad0', stats: stats(1) },
      { device: '', qdev: '/machine/x', stats: stats(2) },
    ];
    const rows = joinBlockStats([device('bad0', 'ok'), anon, device('gone', 'ok')], s);
    expect(rows.map((r) => r.stats?.stats.rd_bytes)).toEqual([1, 2, undefined]);
  });

  it('finds devices that stopped the VM', () => {
    expect(
      troubledDevices([device('a', 'ok'), device('b', 'failed'), device('c', 'nospace')]).map(
        (d) => d.device,
      ),
    ).toEqual(['b', 'c']);
  });
});
