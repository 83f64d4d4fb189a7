// The jobs the console keeps for a real QEMU: a block job started behind the console's back (on QEMU's
// second monitor) shows in `GET /api/vms` and on `GET /api/stream` while it lives, and leaves when QEMU
// forgets it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_STREAM_PATH,
  type ConsoleStreamMessage,
  type VmJob,
  type VmSummary,
} from '../../protocol/api.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';

const MiB = 1024 * 1024;
let qemu: TestQemu;
let running: TestConsole;
let stream: SseClient;
let direct: QmpSocketClient;

beforeAll(async () => {
  qemu = await bootQemu({ disks: [{ id: 'disk0', sizeMiB: 16 }], secondMonitor: true });
  running = await startTestConsole({ vms: { vm: qemu.qmpPath } });
  stream = await connectSse(new URL(CONSOLE_STREAM_PATH.slice(1), running.url).href, running.authHeaders);
  direct = await connectQmp(qemu.secondMonitorPath!);
  await direct.negotiate();
});

afterAll(async () => {
  stream?.close();
  await direct?.close();
  await running?.stop();
  await qemu?.dispose();
});

/** The next `vm` message (from `from` on) whose jobs satisfy `ok`. */
async function streamedJobs(ok: (jobs: VmJob[]) => boolean, from: number): Promise<VmJob[]> {
  const m = await stream.waitFor((m, all) => {
    if (all.indexOf(m) < from || m.event !== 'vm') return false;
    const msg = JSON.parse(m.data) as ConsoleStreamMessage;
    return msg.type === 'vm' && msg.vm.jobs !== undefined && ok(msg.vm.jobs);
  }, 30_000);
  return (JSON.parse(m.data) as Extract<ConsoleStreamMessage, { type: 'vm' }>).vm.jobs!;
}

async function listedJobs(): Promise<VmJob[] | undefined> {
  const res = await running.api('/api/vms');
  return ((await res.json()) as VmSummary[]).find((v) => v.name === 'vm')?.jobs;
}

describe('the jobs the console keeps', () => {
  it('lists none once connected, then a backup from its start to its dismissal', async () => {
    const snapshot = JSON.parse(
      (await stream.waitFor((m) => m.event === 'snapshot')).data,
    ) as ConsoleStreamMessage;
    if (snapshot.type !== 'snapshot') throw new Error('the stream starts with a snapshot');
    const first = snapshot.vms.find((v) => v.name === 'vm')?.jobs ?? (await streamedJobs(() => true, 0));
    expect(first).toEqual([]);

    // Throttled so that it is still running when looked at; kept after it ends (auto-dismiss off).
    let from = stream.messages.length;
    await direct.call('drive-backup', {
      'job-id': 'bk0',
      device: 'disk0',
      target: path.join(qemu.dir, 'backup.img'),
      sync: 'full',
      format: 'raw',
      speed: 1 * MiB,
      'auto-dismiss': false,
    });
    const started = await streamedJobs(
      (jobs) => jobs.some((j) => j.id === 'bk0' && j.status === 'running'),
      from,
    );
    expect(started).toEqual([
      {
        id: 'bk0',
        type: 'backup',
        status: 'running',
        current: expect.any(Number),
        total: 16 * MiB,
        error: null,
      },
    ]);
    expect(await listedJobs()).toMatchObject([{ id: 'bk0', type: 'backup' }]);

    // Unthrottled it finishes: concluded (the event says so at once; query-jobs then brings the final
    // progress), until it is dismissed.
    from = stream.messages.length;
    await direct.call('block-job-set-speed', { device: 'bk0', speed: 0 });
    const concluded = await streamedJobs(
      (jobs) => jobs[0]?.status === 'concluded' && jobs[0].current === jobs[0].total,
      from,
    );
    expect(concluded).toEqual([
      { id: 'bk0', type: 'backup', status: 'concluded', current: 16 * MiB, total: 16 * MiB, error: null },
    ]);
    expect(await listedJobs()).toMatchObject([{ id: 'bk0', status: 'concluded' }]);

    from = stream.messages.length;
    await direct.call('job-dismiss', { id: 'bk0' });
    expect(await streamedJobs((jobs) => jobs.length === 0, from)).toEqual([]);
    expect(await listedJobs()).toEqual([]);
  });

  it('shows a cancelled job leave on its own (auto-dismiss)', async () => {
    let from = stream.messages.length;
    await direct.call('drive-backup', {
      'job-id': 'bk1',
      device: 'disk0',
      target: path.join(qemu.dir, 'backup1.img'),
      sync: 'full',
      format: 'raw',
      speed: 1 * MiB,
    });
    await streamedJobs((jobs) => jobs.some((j) => j.id === 'bk1'), from);
    from = stream.messages.length;
    await direct.call('block-job-cancel', { device: 'bk1' });
    expect(await streamedJobs((jobs) => jobs.length === 0, from)).toEqual([]);
    expect(await listedJobs()).toEqual([]);
  });
});
