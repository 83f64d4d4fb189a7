import { describe, expect, it } from 'vitest';
import { ALERT_EVENTS } from '../../../protocol/journal.ts';
import { alert } from '../test-support/fake-event-source.ts';
import { alertSentence, describeAlert } from './alert-text.ts';
import { EVENTS, pausedByEvent, severityOf, staleCommandsFor, summarize } from './events.ts';

const EIO = {
  device: 'bad0',
  'node-name': '#block163',
  operation: 'read',
  action: 'stop',
  nospace: false,
  reason: 'Input/output error',
};

describe('summarize', () => {
  it.each([
    ['BLOCK_IO_ERROR', EIO, 'bad0 (node #block163): read failed (Input/output error), VM stopped'],
    [
      'BLOCK_IO_ERROR',
      { ...EIO, device: 'disk0', operation: 'write', nospace: true, reason: 'No space left on device' },
      'disk0 (node #block163): write failed, disk full (No space left on device), VM stopped',
    ],
    [
      'BLOCK_IO_ERROR',
      { device: '', 'node-name': 'n1', operation: 'write', action: 'report', reason: 'Input/output error' },
      'node n1: write failed (Input/output error), reported to the guest',
    ],
    [
      'BLOCK_IO_ERROR',
      { device: 'd', operation: 'read', action: 'ignore', reason: 'x' },
      'd: read failed (x), ignored',
    ],
    ['STOP', undefined, 'VM paused'],
    ['RESUME', undefined, 'VM resumed'],
    ['SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }, 'shut down: quit requested over QMP'],
    ['SHUTDOWN', { guest: true, reason: 'guest-shutdown' }, 'shut down: the guest shut down'],
    ['SHUTDOWN', { guest: false, reason: 'host-signal' }, 'shut down: QEMU received a signal'],
    ['RESET', { guest: false, reason: 'host-qmp-system-reset' }, 'reset: reset requested over QMP'],
    ['RESET', { guest: true, reason: 'some-future-cause' }, 'reset: some-future-cause'],
    ['POWERDOWN', undefined, 'power button pressed (ACPI)'],
    ['GUEST_PANICKED', { action: 'pause' }, 'guest panicked, VM paused'],
    ['WATCHDOG', { action: 'reset' }, 'watchdog expired, VM reset'],
    [
      'BLOCK_JOB_ERROR',
      { device: 'job0', operation: 'write', action: 'stop' },
      'job job0: write failed, job paused',
    ],
    [
      'BLOCK_JOB_COMPLETED',
      { type: 'backup', device: 'job0', len: 10, offset: 10, speed: 0 },
      'backup job job0 completed',
    ],
    [
      'BLOCK_JOB_COMPLETED',
      { type: 'mirror', device: 'job0', len: 10, offset: 3, speed: 0, error: 'Input/output error' },
      'mirror job job0 failed: Input/output error',
    ],
    ['DEVICE_TRAY_MOVED', { device: 'cd0', id: 'cd0', 'tray-open': true }, 'cd0: tray opened'],
    [
      'DEVICE_DELETED',
      { device: 'net0', path: '/machine/peripheral/net0' },
      'device net0 removed (/machine/peripheral/net0)',
    ],
    ['BALLOON_CHANGE', { actual: 1073741824 }, 'guest memory now 1.0 GiB'],
    [
      'RTC_CHANGE',
      { offset: 3600, 'qom-path': '/machine/unattached/device[5]' },
      'guest set its clock (offset +3600 s)',
    ],
    ['JOB_STATUS_CHANGE', { id: 'j1', status: 'running' }, 'job j1: running'],
    ['MIGRATION', { status: 'active' }, 'migration active'],
    ['SOMETHING_NEW', { a: 1, b: 'two' }, 'a=1 b=two'],
    ['SOMETHING_NEW', undefined, ''],
  ])('%s %j → %s', (event, data, expected) => {
    expect(summarize(event, data as never)).toBe(expected);
  });

  it("describes the console's own entries", () => {
    expect(
      summarize(
        'CONSOLE_CONNECTED',
        { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian' } },
        true,
      ),
    ).toBe('console connected to QEMU 7.2.22');
    expect(summarize('CONSOLE_DISCONNECTED', { reason: 'connection closed' }, true)).toBe(
      'console lost the connection: connection closed',
    );
    expect(summarize('CONSOLE_JOURNAL_GAP', { lost: 1200, firstSeq: 5, lastSeq: 1204 }, true)).toBe(
      '1,200 events could not be kept (seq 5–1204)',
    );
  });

  it('keeps a long unknown event to one line', () => {
    const s = summarize('X', { text: 'y'.repeat(500) });
    expect(s.length).toBeLessThanOrEqual(160);
    expect(s.endsWith('…')).toBe(true);
  });
});

describe('severityOf', () => {
  it('ranks alerts, state changes, information and the console apart', () => {
    expect(
      ['BLOCK_IO_ERROR', 'GUEST_PANICKED', 'BLOCK_JOB_ERROR', 'WATCHDOG'].map((e) => severityOf(e, false)),
    ).toEqual(['alert', 'alert', 'alert', 'alert']);
    expect(['STOP', 'RESUME', 'SHUTDOWN', 'RESET', 'POWERDOWN'].map((e) => severityOf(e, false))).toEqual([
      'state',
      'state',
      'state',
      'state',
      'state',
    ]);
    expect(severityOf('RTC_CHANGE', false)).toBe('info');
    expect(severityOf('CONSOLE_CONNECTED', true)).toBe('console');
    expect(severityOf('CONSOLE_JOURNAL_GAP', true)).toBe('alert');
  });
});

describe('describeAlert', () => {
  const time = (iso: string) => `T(${iso})`;

  it('names the VM, disk and node, operation, action, reason, count and since when', () => {
    const text = describeAlert(
      alert({ count: 1000, first: '2026-11-26T13:00:00.000Z', last: '2026-11-26T13:00:05.000Z' }),
      time,
    );
    expect(text.headline).toBe('vm1: disk bad0 (node #block163) — read failed, Input/output error');
    expect(Object.fromEntries(text.facts.map((f) => [f.label, f.value]))).toEqual({
      VM: 'vm1',
      Device: 'bad0',
      Node: '#block163',
      Operation: 'read',
      Action: 'stop (VM stopped)',
      Reason: 'Input/output error',
      Count: '1,000 times',
      Since: 'T(2026-11-26T13:00:00.000Z)',
      Latest: 'T(2026-11-26T13:00:05.000Z)',
    });
  });

  it('says "disk full" for ENOSPC', () => {
    const a = alert({
      device: 'disk0',
      operation: 'write',
      nospace: true,
      reason: 'No space left on device',
    });
    expect(describeAlert(a, time).headline).toBe(
      'vm1: disk disk0 (node #block163) — write failed, disk full (No space left on device)',
    );
    expect(alertSentence(a)).toBe(
      'vm1: write error on disk disk0, disk full (No space left on device); VM stopped.',
    );
  });

  it('covers guest panics and watchdogs', () => {
    expect(
      describeAlert(alert({ event: 'GUEST_PANICKED', action: 'pause', device: null }), time).headline,
    ).toBe('vm1: the guest panicked, VM paused');
    expect(describeAlert(alert({ event: 'WATCHDOG', action: 'reset', device: null }), time).headline).toBe(
      'vm1: the watchdog expired, VM reset',
    );
  });
});

describe('the queries each event makes stale', () => {
  it('maps each event to the query commands it makes stale', () => {
    expect(
      Object.fromEntries(Object.entries(EVENTS).flatMap(([e, f]) => (f.stale ? [[e, f.stale]] : []))),
    ).toEqual({
      STOP: ['query-status'],
      RESUME: ['query-status', 'query-block'],
      RESET: ['query-status'],
      SHUTDOWN: ['query-status'],
      SUSPEND: ['query-status'],
      WAKEUP: ['query-status'],
      POWERDOWN: ['query-status'],
      GUEST_PANICKED: ['query-status'],
      WATCHDOG: ['query-status'],
      BLOCK_IO_ERROR: ['query-status', 'query-block', 'query-blockstats'],
      DEVICE_TRAY_MOVED: ['query-block', 'query-pci'],
      DEVICE_DELETED: [
        'query-block',
        'query-pci',
        'query-cpus-fast',
        'query-memory-size-summary',
        'qom-list',
      ],
      BALLOON_CHANGE: ['query-balloon'],
      MEMORY_DEVICE_SIZE_CHANGE: ['query-memory-size-summary'],
      VSERPORT_CHANGE: ['query-chardev'],
      VNC_CONNECTED: ['query-vnc'],
      VNC_INITIALIZED: ['query-vnc'],
      VNC_DISCONNECTED: ['query-vnc'],
      SPICE_CONNECTED: ['query-spice'],
      SPICE_INITIALIZED: ['query-spice'],
      SPICE_DISCONNECTED: ['query-spice'],
    });
  });

  it('has nothing for other events, including Object.prototype names', () => {
    expect(staleCommandsFor('RTC_CHANGE')).toEqual([]);
    expect(staleCommandsFor('toString')).toEqual([]);
    expect(staleCommandsFor('BLOCK_IO_ERROR')).toEqual(['query-status', 'query-block', 'query-blockstats']);
  });
});

describe('alert events', () => {
  it('are the events the journal opens alerts for', () => {
    const alerts = Object.entries(EVENTS).flatMap(([e, f]) => (f.severity === 'alert' ? [e] : []));
    expect(alerts.sort()).toEqual([...ALERT_EVENTS].sort());
  });

  it('leave the VM in their own run state, which resuming ends', () => {
    expect(pausedByEvent('BLOCK_IO_ERROR', 'io-error')).toBe(true);
    expect(pausedByEvent('GUEST_PANICKED', 'guest-panicked')).toBe(true);
    expect(pausedByEvent('WATCHDOG', 'watchdog')).toBe(true);
    expect(pausedByEvent('BLOCK_IO_ERROR', 'running')).toBe(false);
    expect(pausedByEvent('BLOCK_IO_ERROR', 'paused')).toBe(false);
    expect(pausedByEvent('BLOCK_JOB_ERROR', 'paused')).toBe(false);
    expect(pausedByEvent('RESUME', 'running')).toBe(false);
    expect(pausedByEvent('BLOCK_IO_ERROR', undefined)).toBe(false);
  });
});
