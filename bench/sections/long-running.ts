// 8. What the console costs QEMU while a person watches long-running work: a browser on the jobs page
// during a throttled backup, then on the migration page during a throttled migration. A counting tap
// between the console and QEMU's monitor counts every command the console sends; QEMU's own capacity
// (pipelined query-jobs straight to its second monitor) is the reference. Goal: < 1 %.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { connectQmp, type QmpSocketClient } from '../../proxy/test-support/qmp-socket-client.ts';
import { sleep } from '../lib/processes.ts';
import { type BenchQemu, bootBenchQemu, disposeAll } from '../lib/qemu.ts';
import type { Report } from '../lib/report.ts';
import { type ConsoleProcess, startConsoleProcess, waitConsoleConnected } from '../lib/servers.ts';
import { round } from '../lib/stats.ts';

const SECTION = '8. Watching long-running work';
const CHROMIUM = '/usr/bin/chromium';
const MiB = 1024 * 1024;
/** How long each page is watched. */
const WINDOW_MS = 10_000;

/** A unix-socket pass-through to QEMU's monitor that counts the commands sent through it. */
function startCountingTap(listenPath: string, qemuPath: string) {
  let commands = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(qemuPath);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      // One `"execute"` (or `"exec-oob"`) per command: the console sends compact JSON.
      commands += chunk.toString('latin1').split(/"exec(?:ute|-oob)"/).length - 1;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return {
    count: () => commands,
    listen: () => new Promise<void>((resolve) => server.listen(listenPath, resolve)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Commands per second QEMU answers with 200 `query-jobs` in flight, for `ms`. */
async function qemuCapacity(qmp: QmpSocketClient, ms = 2000): Promise<number> {
  let done = 0;
  const until = Date.now() + ms;
  const worker = async () => {
    while (Date.now() < until) {
      await qmp.execute('query-jobs');
      done++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 200 }, worker));
  return done / ((Date.now() - t0) / 1000);
}

/** Commands per second the console sent while the page watched, and whether its progress bar moved. */
async function watch(page: Page, tap: ReturnType<typeof startCountingTap>, bar: string) {
  const progress = page.getByRole('progressbar', { name: bar });
  await progress.waitFor({ timeout: 20_000 });
  // Let the page settle (its first queries, lazy chunks) before counting.
  await sleep(1500);
  const before = { n: tap.count(), t: Date.now(), v: Number(await progress.getAttribute('aria-valuenow')) };
  await sleep(WINDOW_MS);
  const after = { n: tap.count(), t: Date.now(), v: Number(await progress.getAttribute('aria-valuenow')) };
  return { perSecond: (after.n - before.n) / ((after.t - before.t) / 1000), moved: after.v - before.v };
}

export async function longRunningSection(report: Report): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'qmpb-lr-'));
  const incoming = path.join(tmp, 'mig.sock');
  const vm = { disks: [{ id: 'disk0', sizeMiB: 64 }], ramFillMiB: 32 };
  let src: BenchQemu | null = null;
  let dst: BenchQemu | null = null;
  let tap: ReturnType<typeof startCountingTap> | null = null;
  let console: ConsoleProcess | null = null;
  let qmp: QmpSocketClient | null = null;
  let browser: Browser | null = null;
  try {
    src = await bootBenchQemu({ ...vm, name: 'src', secondMonitor: true });
    dst = await bootBenchQemu({ ...vm, name: 'dst', incoming: `unix:${incoming}` });
    tap = startCountingTap(path.join(tmp, 'tap.sock'), src.qmpPath);
    await tap.listen();
    console = await startConsoleProcess({ src: path.join(tmp, 'tap.sock') });
    await waitConsoleConnected(console, ['src']);
    qmp = await connectQmp(src.secondMonitorPath!);
    await qmp.negotiate();
    await qmp.call('human-monitor-command', { 'command-line': 'qemu-io disk0 "write -P 0x5a 0 64M"' });

    browser = await chromium.launch({ executablePath: CHROMIUM });
    const context = await browser.newContext();
    await context.addCookies([
      { name: `qmp-console-${console.port}`, value: console.token, url: console.url },
    ]);
    const page = await context.newPage();

    // A backup at 1 MiB/s: 64 MiB last a minute, longer than the window.
    await qmp.call('drive-backup', {
      'job-id': 'bench-backup',
      device: 'disk0',
      target: path.join(tmp, 'backup.img'),
      sync: 'full',
      format: 'raw',
      speed: MiB,
    });
    await page.goto(`${console.url}vms/src/jobs`);
    const job = await watch(page, tap, 'Progress of backup job bench-backup');
    const capacity = await qemuCapacity(qmp);
    await qmp.call('job-cancel', { id: 'bench-backup' });

    // A migration at 1 MiB/s: 32 MiB of real pages last half a minute.
    await qmp.call('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
    await qmp.call('migrate-set-parameters', { 'max-bandwidth': MiB });
    await qmp.call('migrate', { uri: `unix:${incoming}` });
    await page.goto(`${console.url}vms/src/migration`);
    const migration = await watch(page, tap, 'Migration of src');
    await qmp.execute('migrate_cancel');

    report.data.longRunning = { windowMs: WINDOW_MS, capacity, job, migration };
    for (const [what, m] of [
      ['the jobs page during a block job (1 s progress poll)', job],
      ['the migration page during a migration (1 s poll)', migration],
    ] as const) {
      const share = (m.perSecond / capacity) * 100;
      report.goal({
        section: SECTION,
        figure: `commands/s the console sends QEMU for ${what}; bar moved ${m.moved} points`,
        value: m.perSecond,
        unit: 'cmd/s',
        reference: `QEMU serves ${Math.round(capacity).toLocaleString('en-US')} query-jobs/s`,
        versus: `${round(share)} % (goal < 1 %)`,
        ok: share < 1 && m.moved > 0,
      });
    }
  } finally {
    await browser?.close().catch(() => {});
    await qmp?.close().catch(() => {});
    await console?.stop().catch(() => {});
    await tap?.stop().catch(() => {});
    await disposeAll([src, dst]);
    rmSync(tmp, { recursive: true, force: true });
  }
}
