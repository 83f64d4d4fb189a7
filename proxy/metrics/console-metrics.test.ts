import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRecord } from '../../protocol/journal.ts';
import { FakeMetricsJournal, FakeMetricsVm } from '../test-support/metrics-fakes.ts';
import { ConsoleMetrics } from './console-metrics.ts';
import { QEMU_7_2_RUN_STATES } from './run-states.ts';

const BLOCK = [
  { device: 'bad0', 'io-status': 'failed', inserted: { 'node-name': '#block231' } },
  { device: 'cd0', qdev: '/machine/unattached/device[23]' },
];
const STATS = [
  {
    device: 'bad0',
    'node-name': '#block231',
    stats: {
      rd_bytes: 4096,
      wr_bytes: 512,
      rd_operations: 8,
      wr_operations: 1,
      flush_operations: 2,
      failed_rd_operations: 3,
      failed_wr_operations: 0,
      failed_flush_operations: 0,
    },
  },
];

function answering(vm: FakeMetricsVm, schema: unknown = []) {
  vm.autoAnswer = (command) =>
    command === 'query-block' ? BLOCK : command === 'query-blockstats' ? STATS : schema;
  return vm;
}

/** The sample lines of a Prometheus text, `name{labels} value`, without comments. */
const samples = (text: string, prefix: string) =>
  text.split('\n').filter((l) => l.startsWith(prefix) && !l.startsWith('#'));

const command = (over: Partial<CommandRecord>): CommandRecord => ({
  vm: 'vm1',
  context: { role: 'operator', remoteAddress: '127.0.0.1:1' },
  command: 'query-status',
  argumentNames: [],
  outcome: 'ok',
  durationSeconds: 0.0003,
  ...over,
});

let metrics: ConsoleMetrics | null = null;
afterEach(() => {
  metrics?.close();
  metrics = null;
});

function build(vms: FakeMetricsVm[], journal = new FakeMetricsJournal()) {
  metrics = new ConsoleMetrics({ vms, journal, processMetrics: false });
  return { metrics, journal };
}

describe('ConsoleMetrics', () => {
  it('exports a connected VM: up, its run state as a state set, io-status and block counters', async () => {
    const vm = answering(new FakeMetricsVm('vm1'));
    vm.runState = {
      status: 'io-error',
      running: false,
      reason: 'io-error',
      since: new Date(0).toISOString(),
    };
    const { metrics } = build([vm]);
    const text = await metrics.render();
    expect(samples(text, 'qmp_vm_up')).toEqual(['qmp_vm_up{vm="vm1"} 1']);
    const status = samples(text, 'qmp_vm_status');
    expect(status).toHaveLength(QEMU_7_2_RUN_STATES.length);
    expect(status.filter((l) => l.endsWith(' 1'))).toEqual(['qmp_vm_status{vm="vm1",status="io-error"} 1']);
    expect(samples(text, 'qmp_block_io_status')).toEqual([
      'qmp_block_io_status{vm="vm1",device="bad0",node="#block231",status="ok"} 0',
      'qmp_block_io_status{vm="vm1",device="bad0",node="#block231",status="failed"} 1',
      'qmp_block_io_status{vm="vm1",device="bad0",node="#block231",status="nospace"} 0',
    ]);
    expect(samples(text, 'qmp_block_read_bytes_total')).toEqual([
      'qmp_block_read_bytes_total{vm="vm1",device="bad0"} 4096',
    ]);
    expect(samples(text, 'qmp_block_flush_ops_total')).toEqual([
      'qmp_block_flush_ops_total{vm="vm1",device="bad0"} 2',
    ]);
    expect(samples(text, 'qmp_block_failed_read_ops_total')).toEqual([
      'qmp_block_failed_read_ops_total{vm="vm1",device="bad0"} 3',
    ]);
    expect(text).toContain('# TYPE qmp_block_write_ops_total counter');
  });

  it('exports a disconnected VM as qmp_vm_up 0 and nothing QEMU said before', async () => {
    const vm = answering(new FakeMetricsVm('vm1'));
    vm.runState = { status: 'running', running: true, reason: null, since: new Date(0).toISOString() };
    const other = answering(new FakeMetricsVm('vm2'));
    const { metrics } = build([vm, other]);
    expect(samples(await metrics.render(), 'qmp_block_read_bytes_total{vm="vm1"')).toHaveLength(1);
    vm.setState('disconnected');
    const text = await metrics.render();
    expect(samples(text, 'qmp_vm_up')).toEqual(['qmp_vm_up{vm="vm1"} 0', 'qmp_vm_up{vm="vm2"} 1']);
    expect(text).not.toMatch(/^qmp_(vm_status|block_[a-z_]+)\{vm="vm1"/m);
    expect(samples(text, 'qmp_block_read_bytes_total{vm="vm2"')).toHaveLength(1);
  });

  it('uses the run states of the VM’s own schema when it has one', async () => {
    const schema = [
      { name: 'query-status', 'meta-type': 'command', 'ret-type': '9' },
      { name: '9', 'meta-type': 'object', members: [{ name: 'status', type: '10' }] },
      { name: '10', 'meta-type': 'enum', values: ['running', 'paused'] },
    ];
    const vm = answering(new FakeMetricsVm('vm1'), schema);
    vm.runState = { status: 'paused', running: false, reason: null, since: new Date(0).toISOString() };
    const { metrics } = build([vm]);
    await metrics.render();
    await new Promise((r) => setImmediate(r));
    expect(samples(await metrics.render(), 'qmp_vm_status')).toEqual([
      'qmp_vm_status{vm="vm1",status="running"} 0',
      'qmp_vm_status{vm="vm1",status="paused"} 1',
    ]);
  });

  it('counts journaled events, and names a block error by device, node, operation and errno', async () => {
    const { metrics, journal } = build([answering(new FakeMetricsVm('vm1'))]);
    let text = await metrics.render();
    // Alert events are there at 0 before the first, so increase() sees the first one.
    expect(samples(text, 'qmp_events_total')).toContain(
      'qmp_events_total{vm="vm1",event="GUEST_PANICKED"} 0',
    );
    const error = {
      device: 'bad0',
      'node-name': '#block231',
      operation: 'read',
      action: 'stop',
      reason: 'Input/output error',
    };
    journal.publish('vm1', 'BLOCK_IO_ERROR', error, 1_700_000_000_500);
    journal.publish('vm1', 'STOP', null);
    journal.publish('vm1', 'BLOCK_IO_ERROR', {
      ...error,
      operation: 'write',
      nospace: true,
      reason: 'No space left on device',
    });
    journal.publish('vm1', 'BLOCK_IO_ERROR', { ...error, reason: 'Something QEMU never said before' });
    text = await metrics.render();
    expect(samples(text, 'qmp_events_total{vm="vm1",event="BLOCK_IO_ERROR"}')).toEqual([
      'qmp_events_total{vm="vm1",event="BLOCK_IO_ERROR"} 3',
    ]);
    expect(samples(text, 'qmp_events_total{vm="vm1",event="STOP"}')).toEqual([
      'qmp_events_total{vm="vm1",event="STOP"} 1',
    ]);
    expect(samples(text, 'qmp_block_io_errors_total')).toEqual([
      'qmp_block_io_errors_total{vm="vm1",device="bad0",node="#block231",operation="read",cause="EIO"} 1',
      'qmp_block_io_errors_total{vm="vm1",device="bad0",node="#block231",operation="write",cause="ENOSPC"} 1',
      'qmp_block_io_errors_total{vm="vm1",device="bad0",node="#block231",operation="read",cause="other"} 1',
    ]);
    expect(samples(text, 'qmp_block_io_error_last_timestamp_seconds')[0]).toBe(
      'qmp_block_io_error_last_timestamp_seconds{vm="vm1",device="bad0",node="#block231",operation="read",cause="EIO"} 1700000000.5',
    );
  });

  it('counts commands by outcome with bounded names, and times them in seconds', async () => {
    const { metrics } = build([answering(new FakeMetricsVm('vm1'))]);
    metrics.onCommand(command({}));
    metrics.onCommand(command({ durationSeconds: 0.02 }));
    metrics.onCommand(
      command({ command: 'a-name-a-client-made-up-1', outcome: 'error', errorClass: 'CommandNotFound' }),
    );
    metrics.onCommand(
      command({ command: 'a-name-a-client-made-up-2', outcome: 'denied', errorClass: 'GenericError' }),
    );
    metrics.onCommand(command({ command: 'query-status', outcome: 'denied', durationSeconds: undefined }));
    const text = await metrics.render();
    expect(samples(text, 'qmp_commands_total')).toEqual([
      'qmp_commands_total{vm="vm1",command="query-status",outcome="ok"} 2',
      'qmp_commands_total{vm="vm1",command="other",outcome="error"} 1',
      'qmp_commands_total{vm="vm1",command="other",outcome="denied"} 1',
      'qmp_commands_total{vm="vm1",command="query-status",outcome="denied"} 1',
    ]);
    expect(samples(text, 'qmp_command_duration_seconds_count{vm="vm1",command="query-status"}')).toEqual([
      'qmp_command_duration_seconds_count{vm="vm1",command="query-status"} 2',
    ]);
    expect(text).toContain(
      'qmp_command_duration_seconds_bucket{le="0.0005",vm="vm1",command="query-status"} 1',
    );
    expect(text).toContain(
      'qmp_command_duration_seconds_bucket{le="0.025",vm="vm1",command="query-status"} 2',
    );
  });

  it('exports clients by transport, open alerts per VM and the journal’s health and size', async () => {
    const vm = answering(new FakeMetricsVm('vm1'));
    vm.clients = { websocket: 3, socket: 1 };
    const journal = new FakeMetricsJournal();
    journal.openAlerts = [{ vm: 'vm1' }, { vm: 'vm1' }, { vm: 'gone' }];
    journal.healthy = {
      ok: false,
      error: 'disk full',
      failingSince: null,
      backlog: 12,
      lost: 4,
      auditBacklog: 7,
      auditLost: 3,
    };
    const { metrics } = build([vm, answering(new FakeMetricsVm('vm2'))], journal);
    journal.publish('vm1', 'RESUME', null);
    const text = await metrics.render();
    expect(samples(text, 'qmp_clients')).toEqual([
      'qmp_clients{vm="vm1",transport="websocket"} 3',
      'qmp_clients{vm="vm1",transport="socket"} 1',
      'qmp_clients{vm="vm2",transport="websocket"} 0',
      'qmp_clients{vm="vm2",transport="socket"} 0',
    ]);
    expect(samples(text, 'qmp_alerts_open')).toEqual([
      'qmp_alerts_open{vm="vm1"} 2',
      'qmp_alerts_open{vm="vm2"} 0',
    ]);
    expect(samples(text, 'qmp_journal_')).toEqual([
      'qmp_journal_healthy 0',
      'qmp_journal_backlog_events 12',
      'qmp_journal_lost_events_total 4',
      'qmp_journal_backlog_audit_records 7',
      'qmp_journal_lost_audit_records_total 3',
      'qmp_journal_events 1',
      'qmp_journal_size_bytes 4096',
    ]);
  });

  it('adds the process defaults unless told not to', async () => {
    const m = new ConsoleMetrics({ vms: [], journal: null });
    try {
      expect(await m.render()).toMatch(/^process_cpu_user_seconds_total \d/m);
    } finally {
      m.close();
    }
  });
});
