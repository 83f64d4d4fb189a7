// The run state the console keeps for real QEMUs: on `GET /api/vms` and pushed on `GET /api/stream`
// within a second of QEMU's event, in every state a test can bring a VM to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_STREAM_PATH, type ConsoleStreamMessage, type VmSummary } from '../../protocol/api.ts';
import type { JournalPage } from '../../protocol/journal.ts';
import { startTestConsole, TEST_VIEWER_TOKEN, type TestConsole } from '../test-support/console.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';

let plain: TestQemu;
let failing: TestQemu;
let running: TestConsole;
let stream: SseClient;

beforeAll(async () => {
  [plain, failing] = await Promise.all([
    // pvpanic with panic=pause: a guest panic stops the VM in `guest-panicked` instead of ending QEMU.
    bootQemu({ disks: [{ id: 'disk0' }], extraArgs: ['-device', 'pvpanic', '-action', 'panic=pause'] }),
    bootQemu({ disks: [{ id: 'bad0', fail: 'eio' }] }),
  ]);
  running = await startTestConsole({
    vms: { plain: plain.qmpPath, failing: failing.qmpPath },
    args: ['--viewer-token', TEST_VIEWER_TOKEN],
  });
  // A viewer may read the stream.
  stream = await connectSse(new URL(CONSOLE_STREAM_PATH.slice(1), running.url).href, {
    authorization: `Bearer ${TEST_VIEWER_TOKEN}`,
  });
});

afterAll(async () => {
  stream?.close();
  await running?.stop();
  await Promise.all([plain?.dispose(), failing?.dispose()]);
});

const parsed = (m: { data: string }) => JSON.parse(m.data) as ConsoleStreamMessage;

/** The next `vm` message (from now on) for `name` whose run state is `status` (null: no session). */
async function streamed(
  name: string,
  status: string | null,
  from = stream.messages.length,
): Promise<{ vm: VmSummary; at: number }> {
  const m = await stream.waitFor((m, all) => {
    if (all.indexOf(m) < from) return false;
    const msg = parsed(m);
    return msg.type === 'vm' && msg.vm.name === name && (msg.vm.runState?.status ?? null) === status;
  });
  const msg = parsed(m);
  if (msg.type !== 'vm') throw new Error('unreachable');
  return { vm: msg.vm, at: Date.now() };
}

async function listed(name: string): Promise<VmSummary> {
  const res = await running.api('/api/vms');
  expect(res.status).toBe(200);
  return ((await res.json()) as VmSummary[]).find((v) => v.name === name)!;
}

/** QEMU's own time of the VM's latest `event`, from the journal (QEMU's clock is the host's). */
async function qemuTimeOf(vm: string, event: string): Promise<number> {
  const res = await running.api(`/api/vms/${vm}/events?event=${event}&order=desc&limit=1`);
  const page = (await res.json()) as JournalPage;
  const { seconds, microseconds } = page.events[0]!.timestamp;
  return seconds * 1000 + microseconds / 1000;
}

describe('the run state the console keeps', () => {
  it('starts with a snapshot, and knows both VMs wait in prelaunch', async () => {
    const first = parsed(await stream.waitFor(() => true));
    expect(first.type).toBe('snapshot');
    for (const name of ['plain', 'failing']) {
      // Learned with query-status right after connecting: listed already, or streamed soon.
      const from = stream.messages.length;
      const now = await listed(name);
      const vm = now.runState ? now : (await streamed(name, 'prelaunch', from)).vm;
      expect(vm.state).toBe('connected');
      expect(vm.runState).toMatchObject({ status: 'prelaunch', running: false });
      expect(Date.parse(vm.runState!.since)).not.toBeNaN();
    }
  });

  it('follows cont and stop: running, then paused', async () => {
    const vm = running.running.hub.get('plain')!;
    const resumed = streamed('plain', 'running');
    await vm.execute('cont');
    const r = await resumed;
    expect(r.at - (await qemuTimeOf('plain', 'RESUME'))).toBeLessThan(1000);
    expect(await listed('plain')).toMatchObject({ runState: { status: 'running', running: true } });

    const stopped = streamed('plain', 'paused');
    await vm.execute('stop');
    const s = await stopped;
    expect(s.at - (await qemuTimeOf('plain', 'STOP'))).toBeLessThan(1000);
    expect((await listed('plain')).runState).toMatchObject({ status: 'paused', running: false });
  });

  it('names io-error when the failing disk stops the VM, and streams the alert', async () => {
    const from = stream.messages.length;
    const errored = streamed('failing', 'io-error');
    await running.running.hub.get('failing')!.execute('cont');
    const e = await errored;
    expect(e.vm.runState).toMatchObject({ running: false, reason: 'io-error' });
    expect(e.at - (await qemuTimeOf('failing', 'STOP'))).toBeLessThan(1000);
    expect((await listed('failing')).runState).toMatchObject({ status: 'io-error' });
    const alert = await stream.waitFor((m, all) => all.indexOf(m) >= from && m.event === 'alert');
    expect(parsed(alert)).toMatchObject({
      alert: { vm: 'failing', event: 'BLOCK_IO_ERROR', device: 'bad0' },
    });
    // QEMU agrees.
    await expect(running.running.hub.get('failing')!.execute('query-status')).resolves.toMatchObject({
      status: 'io-error',
    });
  });

  it('names guest-panicked when the guest writes the pvpanic port', async () => {
    const vm = running.running.hub.get('plain')!;
    const resumed = streamed('plain', 'running');
    await vm.execute('cont');
    await resumed;
    const panicked = streamed('plain', 'guest-panicked');
    await vm.execute('human-monitor-command', { 'command-line': 'o /b 0x505 1' });
    const p = await panicked;
    expect(p.vm.runState).toMatchObject({ running: false, reason: 'guest-panic' });
    expect(p.at - (await qemuTimeOf('plain', 'STOP'))).toBeLessThan(1000);
    expect((await listed('plain')).runState).toMatchObject({ status: 'guest-panicked' });
  });

  it('has no run state once quit ends QEMU, and keeps the time the connection was lost', async () => {
    const gone = streamed('plain', null);
    await running.running.hub.get('plain')!.execute('quit');
    await plain.exited;
    const g = await gone;
    expect(g.vm.state).toBe('disconnected');
    const vm = await listed('plain');
    expect(vm).toMatchObject({ state: 'disconnected', runState: null, since: g.vm.since });
    // The other VM is unaffected.
    expect((await listed('failing')).runState).toMatchObject({ status: 'io-error' });
  });
});
