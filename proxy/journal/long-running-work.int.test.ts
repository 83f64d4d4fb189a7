// Long-running work through the console against real QEMUs: block jobs driven over the console's QMP
// WebSocket (progress that moves, pause, resume, cancel, a mirror completed), the alerts the journal
// opens for a failing job and a crossed write threshold, the viewer's limits, and a migration between
// two local QEMUs.
import { truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { AlertList, JournalAlert } from '../../protocol/journal.ts';
import { startTestConsole, TEST_VIEWER_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

const MiB = 1024 * 1024;
const migrationSocket = path.join(os.tmpdir(), `qmpc-int-mig-${process.pid}.sock`);
const vm = useQemu({ disks: [{ id: 'disk0', sizeMiB: 64 }], ramFillMiB: 16 });
const target = useQemu({
  disks: [{ id: 'disk0', sizeMiB: 64 }],
  ramFillMiB: 16,
  incoming: `unix:${migrationSocket}`,
});
let con: TestConsole;
let qmp: WsQmpClient;

type Reply = Record<string, unknown>;

async function client(name: string, token = con.token!): Promise<WsQmpClient> {
  const c = await connectWsQmp(con.wsUrl(name), { headers: { authorization: `Bearer ${token}` } });
  await c.negotiate();
  return c;
}

/** `return` of a command run through the console; throws on a QMP error. */
async function call<T = unknown>(
  c: WsQmpClient,
  command: string,
  args?: Record<string, unknown>,
): Promise<T> {
  const reply = (await c.execute(command, args as never)) as Reply;
  if (!('return' in reply)) throw new Error(`${command}: ${JSON.stringify(reply.error)}`);
  return reply.return as T;
}

const event =
  (name: string, match: (data: Record<string, unknown>) => boolean = () => true) =>
  (m: Reply) =>
    m.event === name && match((m.data ?? {}) as Record<string, unknown>);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openAlerts(): Promise<JournalAlert[]> {
  return ((await (await con.api('/api/alerts?state=open')).json()) as AlertList).alerts;
}

beforeAll(async () => {
  con = await startTestConsole({
    vms: { vm: vm().qmpPath, target: target().qmpPath },
    args: ['--viewer-token', TEST_VIEWER_TOKEN],
    start: { upstream: { initialBackoffMs: 20 } },
  });
  await until('both VMs connected', async () => {
    const vms = (await (await con.api('/api/vms')).json()) as VmSummary[];
    return vms.every((v) => v.state === 'connected') ? true : undefined;
  });
  qmp = await client('vm');
  // Real data on the disk: jobs then copy (and a failing target then fails) rather than skip zeroes.
  await call(qmp, 'human-monitor-command', { 'command-line': 'qemu-io disk0 "write -P 0x5a 0 8M"' });
});

afterAll(async () => {
  qmp?.close();
  await con?.stop();
});

interface Job {
  id: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
}

const jobOf = async (id: string) => (await call<Job[]>(qmp, 'query-jobs')).find((j) => j.id === id);

describe('block jobs through the console', () => {
  it('a throttled backup moves, pauses, resumes and is cancelled', async () => {
    await call(qmp, 'drive-backup', {
      'job-id': 'bk0',
      device: 'disk0',
      target: path.join(vm().dir, 'backup.img'),
      sync: 'full',
      format: 'raw',
      speed: 4 * MiB,
    });
    const first = await until('progress', async () => {
      const j = await jobOf('bk0');
      return j && j['current-progress'] > 0 ? j['current-progress'] : undefined;
    });
    await until('more progress', async () =>
      (await jobOf('bk0'))!['current-progress'] > first ? true : undefined,
    );
    expect((await jobOf('bk0'))?.['total-progress']).toBe(64 * MiB);

    await call(qmp, 'job-pause', { id: 'bk0' });
    await qmp.waitFor(event('JOB_STATUS_CHANGE', (d) => d.id === 'bk0' && d.status === 'paused'));
    await call(qmp, 'job-resume', { id: 'bk0' });
    await until('running again', async () => ((await jobOf('bk0'))?.status === 'running' ? true : undefined));

    await call(qmp, 'job-cancel', { id: 'bk0' });
    await qmp.waitFor(event('BLOCK_JOB_CANCELLED', (d) => d.device === 'bk0'));
    await qmp.waitFor(event('JOB_STATUS_CHANGE', (d) => d.id === 'bk0' && d.status === 'null'));
    expect(await jobOf('bk0')).toBeUndefined();
  });

  it('a mirror reaches ready and completes: the disk moves to the target', async () => {
    const mirror = path.join(vm().dir, 'mirror.img');
    await call(qmp, 'drive-mirror', {
      'job-id': 'mr0',
      device: 'disk0',
      target: mirror,
      sync: 'full',
      format: 'raw',
      speed: 32 * MiB,
    });
    await qmp.waitFor(
      event('BLOCK_JOB_READY', (d) => d.device === 'mr0'),
      30_000,
    );
    expect((await jobOf('mr0'))?.status).toBe('ready');
    await call(qmp, 'job-complete', { id: 'mr0' });
    await qmp.waitFor(event('BLOCK_JOB_COMPLETED', (d) => d.device === 'mr0'));
    const block = await call<{ device: string; inserted: { file: string } }[]>(qmp, 'query-block');
    expect(block.find((b) => b.device === 'disk0')?.inserted.file).toBe(mirror);
  });

  it('a backup to a failing target raises BLOCK_JOB_ERROR: a critical alert naming job, operation and action', async () => {
    const config = path.join(vm().dir, 'write-fails.conf');
    const image = path.join(vm().dir, 'failing.img');
    await writeFile(config, '[inject-error]\nevent = "write_aio"\nerrno = "5"\n');
    await writeFile(image, '');
    await truncate(image, 64 * MiB);
    await call(qmp, 'blockdev-add', {
      driver: 'raw',
      'node-name': 'failtgt',
      file: { driver: 'blkdebug', config, image: { driver: 'file', filename: image } },
    });
    await call(qmp, 'blockdev-backup', { 'job-id': 'bkf', device: 'disk0', target: 'failtgt', sync: 'full' });
    await qmp.waitFor(event('BLOCK_JOB_ERROR', (d) => d.device === 'bkf'));
    const alert = await until('the alert', async () =>
      (await openAlerts()).find((a) => a.event === 'BLOCK_JOB_ERROR' && a.device === 'bkf'),
    );
    expect(alert).toMatchObject({ vm: 'vm', severity: 'critical', operation: 'write', action: 'report' });
    const done = (await qmp.waitFor(event('BLOCK_JOB_COMPLETED', (d) => d.device === 'bkf'))) as Reply;
    expect((done.data as Reply).error).toBe('Input/output error');
  });

  it('a write past a node threshold raises a warning alert saying how far past', async () => {
    const block = await call<{ device: string; inserted: { 'node-name': string } }[]>(qmp, 'query-block');
    const node = block.find((b) => b.device === 'disk0')!.inserted['node-name'];
    await call(qmp, 'block-set-write-threshold', { 'node-name': node, 'write-threshold': 256 * 1024 });
    await call(qmp, 'human-monitor-command', { 'command-line': 'qemu-io disk0 "write 0 1M"' });
    await qmp.waitFor(event('BLOCK_WRITE_THRESHOLD', (d) => d['node-name'] === node));
    const alert = await until('the warning', async () =>
      (await openAlerts()).find((a) => a.event === 'BLOCK_WRITE_THRESHOLD' && a.node === node),
    );
    expect(alert).toMatchObject({ vm: 'vm', severity: 'warning', operation: 'write' });
    expect(alert.reason).toBe(
      'a write went 768 KiB (786432 bytes) past the threshold at 256 KiB (262144 bytes)',
    );
    // QEMU disarmed it.
    const nodes = await call<{ 'node-name': string; write_threshold: number }[]>(
      qmp,
      'query-named-block-nodes',
      {
        flat: true,
      },
    );
    expect(nodes.find((n) => n['node-name'] === node)?.write_threshold).toBe(0);
  });

  it('a viewer watches jobs but may not act on them', async () => {
    const viewer = await client('vm', TEST_VIEWER_TOKEN);
    try {
      expect(await call(viewer, 'query-jobs')).toEqual(expect.any(Array));
      for (const command of ['job-cancel', 'job-pause', 'block-set-write-threshold', 'migrate_cancel']) {
        const reply = (await viewer.execute(command, { id: 'x' })) as Reply;
        expect(reply.error, command).toMatchObject({ class: 'GenericError' });
        expect((reply.error as Reply).desc).toMatch(/viewer role/);
      }
    } finally {
      viewer.close();
    }
  });
});

describe('a migration between two local QEMUs', () => {
  it('reports MIGRATION events and growing progress, and completes', async () => {
    await call(qmp, 'migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
    await call(qmp, 'migrate-set-parameters', { 'max-bandwidth': 8 * MiB });
    await call(qmp, 'migrate', { uri: `unix:${migrationSocket}` });
    await qmp.waitFor(event('MIGRATION', (d) => d.status === 'active'));
    type Info = { status: string; ram?: { total: number; remaining: number }; downtime?: number };
    const left = await until('RAM sent', async () => {
      const info = await call<Info>(qmp, 'query-migrate');
      return info.ram && info.ram.remaining < info.ram.total ? info.ram.remaining : undefined;
    });
    await until('less RAM left', async () => {
      const info = await call<Info>(qmp, 'query-migrate');
      return info.status === 'completed' || (info.ram && info.ram.remaining < left) ? true : undefined;
    });
    await qmp.waitFor(
      event('MIGRATION', (d) => d.status === 'completed'),
      60_000,
    );
    expect(qmp.messages.some(event('MIGRATION_PASS'))).toBe(true);
    const info = await call<Info>(qmp, 'query-migrate');
    expect(info.status).toBe('completed');
    expect(info.downtime).toEqual(expect.any(Number));
    expect((await call<{ status: string }>(qmp, 'query-status')).status).toBe('postmigrate');
  });
});
