// Long-running work in a real Chromium against real QEMUs: block jobs (a throttled backup, mirrors
// cancelled and completed, a backup whose target fails), a write threshold crossed, and a migration
// between two local QEMUs. A direct QMP client on each QEMU's second monitor starts the work and is the
// ground truth; the page never reloads.
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { VmSummary } from '../protocol/api.ts';
import { connectQmp, type QmpSocketClient } from '../proxy/test-support/qmp-socket-client.ts';
import { expect, expectNoSeriousA11yViolations, test, type VmConsole } from './support/fixtures.ts';

const SCREENSHOTS = 'docs/screenshots';
const MiB = 1024 * 1024;

async function direct(c: VmConsole, vm: string): Promise<QmpSocketClient> {
  await expect
    .poll(async () => {
      const res = await c.console.api('/api/vms');
      return ((await res.json()) as VmSummary[]).find((v) => v.name === vm)?.state;
    })
    .toBe('connected');
  const client = await connectQmp(c.qemu[vm]!.secondMonitorPath!);
  await client.negotiate();
  return client;
}

const barValue = async (bar: Locator) => Number(await bar.getAttribute('aria-valuenow'));

/** The bar moves forward (it is not stuck at where it was first seen). */
async function expectProgressMoves(bar: Locator) {
  await expect(bar).toHaveAttribute('aria-valuetext', /%/);
  const first = await barValue(bar);
  await expect.poll(() => barValue(bar), { timeout: 20_000 }).toBeGreaterThan(first);
}

function jobRow(page: Page, id: string) {
  return page.getByRole('region', { name: 'Block jobs' }).getByRole('row', { name: new RegExp(`^${id}\\b`) });
}

async function confirm(page: Page, title: string, button: string) {
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: button }).click();
  await expect(dialog).toBeHidden();
}

test('block jobs: a backup moves, pauses, resumes and is dismissed; mirrors are cancelled and completed; a failing backup raises an alert; a write threshold warns', async ({
  page,
  vmConsole,
}) => {
  // Real jobs and migrations throttled to be watched, and axe, on a shared 2-CPU machine.
  test.setTimeout(300_000);
  const c = await vmConsole({ demo: { secondMonitor: true, disks: [{ id: 'disk0', sizeMiB: 64 }] } });
  const qmp = await direct(c, 'demo');
  const dir = c.qemu.demo!.dir;
  await c.open(page, '/vms/demo');
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');

  // A backup throttled to 2 MiB/s: 64 MiB would take 32 s (sped up once it has been watched). The VM page shows it in its strip, live.
  await qmp.call('drive-backup', {
    'job-id': 'bk0',
    device: 'disk0',
    target: path.join(dir, 'backup.img'),
    sync: 'full',
    format: 'raw',
    speed: 2 * MiB,
    'auto-dismiss': false,
  });
  const strip = page.getByRole('region', { name: 'Jobs running on demo' });
  await expectProgressMoves(strip.getByRole('progressbar', { name: 'Progress of backup job bk0' }));

  // The jobs page: type, device, status, a moving bar, the limit, elapsed and time left.
  await strip.getByRole('link', { name: 'All jobs on demo' }).click();
  await expect(page).toHaveURL(/\/vms\/demo\/jobs$/);
  const bk0 = jobRow(page, 'bk0');
  await expect(bk0.getByRole('cell', { name: 'backup', exact: true })).toBeVisible();
  await expect(bk0.getByText('running', { exact: true })).toBeVisible();
  await expect(bk0.getByText('limit 2 MiB/s')).toBeVisible();
  const bar = bk0.getByRole('progressbar', { name: 'Progress of backup job bk0' });
  // Pause and resume need no confirmation; QEMU's own status says they happened.
  await bk0.getByRole('button', { name: 'Pause job bk0' }).click();
  await expect(bk0.getByText('paused', { exact: true }).first()).toBeVisible();
  expect(((await qmp.call('query-jobs')) as { status: string }[])[0]?.status).toBe('paused');
  await bk0.getByRole('button', { name: 'Resume job bk0' }).click();
  await expect(bk0.getByText('running', { exact: true })).toBeVisible();

  await expectProgressMoves(bar);
  await expect(bk0.getByText(/^\d+ s$|^\d+ min/).first()).toBeVisible();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/job-in-progress.png`, fullPage: true });

  // It finishes on its own (auto-dismiss off): concluded at 100 %, then dismissed after a confirmation.
  // Lift the limit if it still runs (on a loaded machine it may have finished while axe looked).
  await qmp.execute('block-job-set-speed', { device: 'bk0', speed: 0 });
  await expect(bk0.getByText('concluded', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await bk0.getByRole('button', { name: 'Dismiss job bk0' }).click();
  await confirm(page, 'Dismiss job bk0 on demo?', 'Dismiss bk0');
  await expect(page.getByText('No jobs are running on demo.')).toBeVisible();

  // A mirror, cancelled while it copies.
  await qmp.call('drive-mirror', {
    'job-id': 'mr0',
    device: 'disk0',
    target: path.join(dir, 'mirror0.img'),
    sync: 'full',
    format: 'raw',
    speed: 4 * MiB,
  });
  const mr0 = jobRow(page, 'mr0');
  await expectProgressMoves(mr0.getByRole('progressbar', { name: 'Progress of mirror job mr0' }));
  await mr0.getByRole('button', { name: 'Cancel job mr0' }).click();
  await confirm(page, 'Cancel job mr0 on demo?', 'Cancel mr0');
  await expect(mr0).toHaveCount(0);
  await expect(page.getByText('No jobs are running on demo.')).toBeVisible();

  // A mirror that reaches ready, then completes: the disk now lives on the target.
  await qmp.call('drive-mirror', {
    'job-id': 'mr1',
    device: 'disk0',
    target: path.join(dir, 'mirror1.img'),
    sync: 'full',
    format: 'raw',
    speed: 16 * MiB,
  });
  const mr1 = jobRow(page, 'mr1');
  await expectProgressMoves(mr1.getByRole('progressbar', { name: 'Progress of mirror job mr1' }));
  await expect(mr1.getByText('ready', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(mr1.getByText('in sync (ready to complete)')).toBeVisible();
  await mr1.getByRole('button', { name: 'Complete job mr1' }).click();
  await confirm(page, 'Complete job mr1 on demo?', 'Complete mr1');
  await expect(mr1).toHaveCount(0);
  const block = (await qmp.call('query-block')) as { inserted: { file: string } }[];
  expect(block[0]?.inserted.file).toBe(path.join(dir, 'mirror1.img'));

  // A backup to a target whose writes fail (blkdebug): BLOCK_JOB_ERROR opens an alert naming the job.
  // The source needs data: a backup writes zeroes of an empty disk as write-zeroes, which blkdebug passes.
  await qmp.call('human-monitor-command', { 'command-line': 'qemu-io disk0 "write -P 0xaa 0 4M"' });
  const failConf = path.join(dir, 'write-fails.conf');
  writeFileSync(failConf, '[inject-error]\nevent = "write_aio"\nerrno = "5"\n');
  // blockdev-backup wants a target as big as the source.
  writeFileSync(path.join(dir, 'failing.img'), '');
  truncateSync(path.join(dir, 'failing.img'), 64 * MiB);
  await qmp.call('blockdev-add', {
    driver: 'raw',
    'node-name': 'failtgt',
    file: {
      driver: 'blkdebug',
      config: failConf,
      image: { driver: 'file', filename: path.join(dir, 'failing.img') },
    },
  });
  await qmp.call('blockdev-backup', {
    'job-id': 'bkf',
    device: 'disk0',
    target: 'failtgt',
    sync: 'full',
    'auto-dismiss': false,
  });
  const alerts = page.getByRole('region', { name: 'Open alerts for demo' });
  const jobAlert = alerts.getByRole('listitem').filter({ hasText: 'block job bkf' });
  await expect(jobAlert).toBeVisible();
  await expect(jobAlert).toHaveAttribute('data-severity', 'critical');
  await expect(jobAlert).toContainText('write failed');
  await expect(jobAlert).toContainText('report');
  const bkf = jobRow(page, 'bkf');
  await expect(bkf.getByText('concluded', { exact: true })).toBeVisible();
  await expect(bkf.getByText('Input/output error')).toBeVisible();

  // A write threshold set from the page; a write through the node crosses it: a warning alert.
  const nodes = page.getByRole('region', { name: 'Write thresholds' });
  const node = ((await qmp.call('query-block')) as { inserted: { 'node-name': string } }[])[0]!.inserted[
    'node-name'
  ];
  const nodeRow = nodes.getByRole('row', { name: new RegExp(`^${node}\\b`) });
  await nodeRow.getByRole('textbox', { name: `Write threshold for node ${node}` }).fill('64K');
  await nodeRow.getByRole('button', { name: `Set write threshold of node ${node}` }).click();
  await expect(nodeRow.getByText('65,536 bytes')).toBeVisible();
  await qmp.call('human-monitor-command', { 'command-line': 'qemu-io disk0 "write 0 1M"' });
  const warning = alerts.getByRole('listitem').filter({ hasText: `node ${node} passed its write threshold` });
  await expect(warning).toBeVisible();
  await expect(warning).toHaveAttribute('data-severity', 'warning');
  await expect(warning).toContainText('960 KiB (983040 bytes) past the threshold at 64 KiB (65536 bytes)');
  // QEMU disarmed it; the table says so without a reload.
  await expect(nodeRow.getByText('none', { exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'jobs page with alerts');
  await qmp.close();
});

/** A unix socket path for `-incoming`, short enough for sun_path. */
function migrationSocket(name: string): string {
  return path.join(os.tmpdir(), `qmpc-mig-${process.pid}-${name}.sock`);
}

test('migration: started from the composer, watched moving to completed; another one cancelled', async ({
  page,
  vmConsole,
}) => {
  // Real jobs and migrations throttled to be watched, and axe, on a shared 2-CPU machine.
  test.setTimeout(300_000);
  const toFinish = migrationSocket('finish');
  const toCancel = migrationSocket('cancel');
  const vm = { disks: [{ id: 'disk0' }], ramFillMiB: 32 };
  const c = await vmConsole({
    src: { ...vm, secondMonitor: true },
    dst: { ...vm, incoming: `unix:${toFinish}` },
    spare: { ...vm, incoming: `unix:${toCancel}` },
  });
  const src = await direct(c, 'src');
  // MIGRATION events drive the page; 4 MiB/s makes 32 MiB of real pages last about 8 s.
  await src.call('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
  await src.call('migrate-set-parameters', { 'max-bandwidth': 4 * MiB });

  await c.open(page, '/vms/src/migration');
  await expect(page.getByText('No migration has run on src since QEMU started.')).toBeVisible();

  // The first one is cancelled from the page.
  await src.call('migrate', { uri: `unix:${toCancel}` });
  const bar = page.getByRole('progressbar', { name: 'Migration of src' });
  await expectProgressMoves(bar);
  await page.getByRole('button', { name: 'Cancel migration…' }).click();
  await confirm(page, 'Cancel the migration of src?', 'Cancel migration of src');
  await expect(page.getByText('cancelled', { exact: true })).toBeVisible();

  // The page hands the composer a prefilled `migrate`, which asks before it runs.
  await page.getByRole('textbox', { name: 'Destination URI' }).fill(`unix:${toFinish}`);
  await page.getByRole('link', { name: 'Open migrate in the composer' }).click();
  await expect(page).toHaveURL(/\/vms\/src\/composer$/);
  const line = page.getByRole('textbox', { name: 'QMP command' });
  await expect(line).toHaveValue(`migrate uri=unix:${toFinish}`);
  await line.press('Enter');
  const ask = page.getByRole('dialog');
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: /^(Run|Send)/ }).click();

  await page.getByRole('link', { name: 'Migration', exact: true }).click();
  await expectProgressMoves(bar);
  const region = page.getByRole('region', { name: 'Outgoing migration' });
  await expect(region.getByText('active', { exact: true })).toBeVisible();
  await expect(region.getByText(/Mbit\/s$/)).toBeVisible();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/migration-in-progress.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page, 'migration page, under way');

  await expect(region.getByText('completed', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(region.getByText('Downtime', { exact: true })).toBeVisible();
  await expect(region.getByText('Setup time', { exact: true })).toBeVisible();
  expect(((await src.call('query-status')) as { status: string }).status).toBe('postmigrate');
  await src.close();
});
