import { describe, expect, it } from 'vitest';
import {
  buttonConfirmation,
  COMMANDS,
  commandFacts,
  confirmationReason,
  lineConfirmation,
} from './commands.ts';

describe('confirmationReason', () => {
  it.each([
    'quit',
    'system_reset',
    'system_powerdown',
    'stop',
    'device_del',
    'blockdev-del',
    'migrate',
    'migrate_cancel',
    'migrate-set-parameters',
  ])('%s asks first', (execute) => {
    expect(confirmationReason({ execute })).toEqual(expect.any(String));
  });

  it.each(['query-status', 'cont', 'device_add', 'blockdev-add', 'transaction'])(
    '%s runs straight away',
    (execute) => {
      expect(confirmationReason({ execute })).toBeNull();
    },
  );

  it('asks for HMP commands except the ones that only read', () => {
    const hmp = (line: string) =>
      confirmationReason({ execute: 'human-monitor-command', arguments: { 'command-line': line } });
    expect(hmp('info status')).toBeNull();
    expect(hmp('  info registers')).toBeNull();
    expect(hmp('help')).toBeNull();
    expect(hmp('information')).not.toBeNull();
    expect(hmp('system_reset')).not.toBeNull();
    expect(hmp('info status; quit')).toBeNull(); // HMP has no command separator: this is one `info` command
  });
});

describe('the command catalogue', () => {
  it('gives every command with a button a label, and every dangerous one a consequence', () => {
    for (const [name, facts] of Object.entries(COMMANDS)) {
      if (facts.danger !== 'none') expect(facts.consequence, name).toEqual(expect.any(String));
    }
    expect(commandFacts('system_reset').label).toBe('Reset');
    expect(commandFacts('toString')).toEqual({ danger: 'none' });
  });

  it('words a confirmation for a button and for a typed command, naming the VM', () => {
    expect(buttonConfirmation('system_reset', 'demo')).toEqual({
      title: 'Reset demo?',
      confirmLabel: 'Reset demo',
    });
    expect(lineConfirmation('quit', 'demo')).toEqual({
      title: 'Run quit on demo?',
      confirmLabel: 'Run quit on demo',
    });
  });
});
