// GET /metrics against a real QEMU behind a real console: what a scrape shows before and after a disk
// fails, how often QEMU is asked, what a lost VM exports, and Debian's promtool linting a real scrape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { VmHub } from '../hub/vm-hub.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { runProgram } from '../test-support/monitoring.ts';
import { bootQemu, type TestQemu } from '../test-support/qemu.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

let qemu: TestQemu;
let tc: TestConsole;
let vm: VmHub;

function untilSummary(hub: VmHub, predicate: (s: VmSummary) => boolean): Promise<VmSummary> {
  return new Promise((resolve) => {
    if (predicate(hub.summary())) return resolve(hub.summary());
    const off = hub.onSummary((s) => {
      if (!predicate(s)) return;
      off();
      resolve(s);
    });
  });
}

const scrape = async () => {
  const res = await tc.api('/metrics');
  expect(res.status).toBe(200);
  return res.text();
};
const lines = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

beforeAll(async () => {
  qemu = await bootQemu({ disks: [{ id: 'bad0', fail: 'eio' }] });
  tc = await startTestConsole({ vms: { vm1: qemu.qmpPath } });
  vm = tc.running.hub.get('vm1')!;
  await untilSummary(vm, (s) => s.runState !== null);
});
afterAll(async () => {
  await tc?.stop();
  await qemu?.dispose();
});

describe('GET /metrics with a real QEMU', () => {
  let client: WsQmpClient;

  it('shows the VM up in prelaunch, its disk ok, and the commands a client runs', async () => {
    client = await connectWsQmp(tc.wsUrl('vm1'), { headers: tc.authHeaders });
    await client.negotiate();
    expect(await client.execute('query-status')).toMatchObject({ return: { status: 'prelaunch' } });
    expect(await client.execute('no-such-command')).toMatchObject({ error: { class: 'CommandNotFound' } });
    const text = await scrape();
    expect(lines(text, 'qmp_vm_up')).toEqual(['qmp_vm_up{vm="vm1"} 1']);
    expect(lines(text, 'qmp_vm_status{').filter((l) => l.endsWith(' 1'))).toEqual([
      'qmp_vm_status{vm="vm1",status="prelaunch"} 1',
    ]);
    // One series per RunState of QEMU 7.2's own schema.
    expect(lines(text, 'qmp_vm_status{')).toHaveLength(16);
    expect(text).toMatch(/^qmp_block_io_status\{vm="vm1",device="bad0",node="[^"]+",status="ok"\} 1$/m);
    expect(lines(text, 'qmp_commands_total{')).toEqual(
      expect.arrayContaining([
        'qmp_commands_total{vm="vm1",command="query-status",outcome="ok"} 1',
        'qmp_commands_total{vm="vm1",command="other",outcome="error"} 1',
      ]),
    );
    expect(lines(text, 'qmp_command_duration_seconds_count{vm="vm1",command="query-status"}')).toEqual([
      'qmp_command_duration_seconds_count{vm="vm1",command="query-status"} 1',
    ]);
    expect(lines(text, 'qmp_clients{vm="vm1",transport="websocket"}')).toEqual([
      'qmp_clients{vm="vm1",transport="websocket"} 1',
    ]);
  });

  it('after Resume shows the failing read: run state io-error, io-status failed, the error by cause', async () => {
    const stopped = untilSummary(vm, (s) => s.runState?.status === 'io-error');
    expect(await client.execute('cont')).toMatchObject({ return: {} });
    await client.waitFor((m) => m.event === 'BLOCK_IO_ERROR');
    await stopped;
    // Run state comes from events at once; io-status from a sample, at most a second old.
    let text = await scrape();
    expect(lines(text, 'qmp_vm_status{').filter((l) => l.endsWith(' 1'))).toEqual([
      'qmp_vm_status{vm="vm1",status="io-error"} 1',
    ]);
    const ioFailed = /^qmp_block_io_status\{vm="vm1",device="bad0",node="([^"]+)",status="failed"\} 1$/m;
    const failed = await eventually('io-status failed in a scrape', async () => {
      text = await scrape();
      return ioFailed.exec(text) ?? undefined;
    });
    expect(failed).not.toBeNull();
    // The event's node is the one query-block names, so the alerting rule can join them.
    expect(text).toMatch(
      new RegExp(
        `^qmp_block_io_errors_total\\{vm="vm1",device="bad0",node="${failed![1]}",operation="read",cause="EIO"\\} [1-9]`,
        'm',
      ),
    );
    expect(lines(text, 'qmp_events_total{vm="vm1",event="BLOCK_IO_ERROR"}')[0]).toMatch(/ [1-9]\d*$/);
    expect(lines(text, 'qmp_alerts_open{vm="vm1"}')).toEqual(['qmp_alerts_open{vm="vm1"} 1']);
  });

  it('passes promtool check metrics on a real scrape', async () => {
    const run = await runProgram('promtool', ['check', 'metrics'], await scrape());
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('asks QEMU at most once a second however fast it is scraped', async () => {
    const asked: string[] = [];
    const execute = vm.execute.bind(vm);
    vm.execute = ((command: string, ...rest: unknown[]) => {
      asked.push(command);
      return (execute as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as VmHub['execute'];
    try {
      const started = performance.now();
      await Promise.all(Array.from({ length: 20 }, () => scrape()));
      // Scrape for longer than the sampling interval, so the sample is due at least once.
      while (performance.now() - started < 1500) await scrape();
      const seconds = (performance.now() - started) / 1000;
      // The metrics sampler asks query-block and query-blockstats together; the I/O graphs' own
      // sampler asks query-blockstats on its clock too, so query-block counts the scrapes' samples.
      const blockQueries = asked.filter((c) => c === 'query-block').length;
      expect(blockQueries).toBeGreaterThanOrEqual(1);
      expect(blockQueries).toBeLessThanOrEqual(Math.floor(seconds) + 1);
      expect(asked.filter((c) => c === 'query-blockstats').length).toBeGreaterThanOrEqual(blockQueries);
    } finally {
      delete (vm as { execute?: unknown }).execute;
    }
  });

  it('exports a lost VM as qmp_vm_up 0 and nothing QEMU said before', async () => {
    const lost = untilSummary(vm, (s) => s.state !== 'connected');
    await qemu.stop();
    await lost;
    const text = await scrape();
    expect(lines(text, 'qmp_vm_up')).toEqual(['qmp_vm_up{vm="vm1"} 0']);
    // What QEMU is asked for is gone; what the journal counted (events, block errors by cause) stays true.
    expect(text).not.toMatch(
      /^qmp_(vm_status|block_io_status|block_(failed_)?[a-z]+_(bytes|ops)_total)\{vm="vm1"/m,
    );
    expect(text).toMatch(/^qmp_block_io_errors_total\{vm="vm1",device="bad0"/m);
    expect(lines(text, 'qmp_clients{vm="vm1",transport="websocket"}')).toEqual([
      'qmp_clients{vm="vm1",transport="websocket"} 0',
    ]);
  });
});
