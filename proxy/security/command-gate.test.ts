import { describe, expect, it } from 'vitest';
import { VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import { createCommandGate } from './command-gate.ts';

const gate = createCommandGate({ readOnly: false, deny: ['quit'], viewerAllow: [...VIEWER_ALLOW] });
const operator = { role: 'operator', remoteAddress: 'x' } as const;
const viewer = { role: 'viewer', remoteAddress: 'x' } as const;

describe('createCommandGate', () => {
  it('passes what the policy allows and answers the rest with GenericError', () => {
    expect(gate('stop', undefined, operator)).toBeNull();
    expect(gate('query-status', undefined, viewer)).toBeNull();
    expect(gate('stop', undefined, viewer)).toEqual({
      class: 'GenericError',
      desc: "QMP Console policy denies 'stop' to the viewer role",
      reason: 'viewer',
    });
    expect(gate('quit', undefined, operator)).toMatchObject({ class: 'GenericError', reason: 'deny' });
  });

  it('answers a name no QEMU command could have without sending it to QEMU', () => {
    const r = gate(`query-${'x'.repeat(900_000)}`, undefined, operator);
    expect(r?.class).toBe('CommandNotFound');
    expect(r?.reason).toBe('name-too-long');
    expect(r!.desc.length).toBeLessThan(120);
    expect(gate('x'.repeat(128), undefined, operator)).toBeNull();
  });

  it('sees through human-monitor-command: the HMP line is checked as the QMP command it runs', () => {
    const g = createCommandGate({
      readOnly: false,
      deny: ['cont', 'system_*'],
      viewerAllow: [...VIEWER_ALLOW],
    });
    const hmp = (line: string) => g('human-monitor-command', { 'command-line': line }, operator);
    for (const line of ['cont', 'c', '  c  ', 'system_reset', 'system_powerdown now'])
      expect(hmp(line)?.desc).toMatch(
        /^QMP Console policy denies '(cont|system_reset|system_powerdown)' to every role/,
      );
    for (const line of ['info status', 'stop', 'x/4x 0', 'help', '']) expect(hmp(line)).toBeNull();
    // No QMP command describes these: refused while any --deny is in force, run without one.
    for (const line of ['gdbserver tcp::1234', 'qemu-io disk0 "write 0 1"', 'some_future_command'])
      expect(hmp(line)?.desc).toMatch(/^QMP Console policy denies HMP '.*' while --deny is in force/);
    const open = createCommandGate({ readOnly: false, deny: [], viewerAllow: [...VIEWER_ALLOW] });
    expect(open('human-monitor-command', { 'command-line': 'gdbserver' }, operator)).toBeNull();
    // QEMU's own names: case-sensitive, aliases as QEMU spells them.
    expect(hmp('CONT')?.desc).toMatch(/while --deny is in force/);
  });

  it('checks every action of a transaction', () => {
    const g = createCommandGate({
      readOnly: false,
      deny: ['blockdev-snapshot-sync'],
      viewerAllow: [...VIEWER_ALLOW],
    });
    const actions: JsonObject[] = [
      { type: 'block-dirty-bitmap-add', data: { node: 'n', name: 'b' } },
      { type: 'blockdev-snapshot-sync', data: { device: 'disk0', 'snapshot-file': '/tmp/x' } },
    ];
    expect(g('transaction', { actions }, operator)?.desc).toBe(
      "QMP Console policy denies 'blockdev-snapshot-sync' to every role (--deny 'blockdev-snapshot-sync'): 'transaction' action runs it",
    );
    expect(g('transaction', { actions: actions.slice(0, 1) }, operator)).toBeNull();
    expect(g('transaction', { actions: 'nonsense' }, operator)).toBeNull();
  });
});
