import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../config/cli-config.ts';
import { vmNameFromQmpPath } from '../http/server.ts';
import { eventSubject, fromToken, parseVmKey, splitFleetName, token, vmKey } from './subjects.ts';

const parse = (args: string[], env: Record<string, string> = {}) =>
  parseCliArgs(args, { HOME: '/home/x', ...env });

describe('NATS flags', () => {
  it('are off without --nats, and name the host from the OS by default', () => {
    const c = parse(['--target', 'vm=unix:/run/vm.qmp']);
    expect(c !== 'help' && c.nats).toBeNull();
    const n = parse(['--target', 'vm=unix:/run/vm.qmp', '--nats', 'nats://127.0.0.1:4222']);
    expect(n !== 'help' && n.nats?.hostName).toMatch(/.+/);
  });

  it('read the URL, user and credentials from the environment; the password only from there', () => {
    const c = parse(['--target', 'vm=unix:/run/vm.qmp', '--host-name', 'hv1.example'], {
      QMP_CONSOLE_NATS_URL: 'nats://a:4222,nats://b:4222',
      QMP_CONSOLE_NATS_USER: 'hv1',
      QMP_CONSOLE_NATS_PASSWORD: 'secret',
      QMP_CONSOLE_NATS_CREDS: '/etc/hv1.creds',
    });
    expect(c !== 'help' && c.nats).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      credsFile: '/etc/hv1.creds',
      user: 'hv1',
      password: 'secret',
      tls: null,
      hostName: 'hv1.example',
    });
  });

  it.each([
    [['--fleet'], /--fleet needs --nats/],
    [['--fleet', '--nats', 'nats://n:4222', '--target', 'vm=unix:/x'], /--fleet takes no --target/],
    [['--host-name', 'hv1'], /--host-name needs --nats/],
    [['--nats', 'nats://n:4222', '--host-name', 'hv 1'], /--host-name "hv 1" may hold only/],
    [['--nats', 'http://n/x'], /--nats "http:\/\/n\/x" is not nats:\/\/HOST:PORT/],
    [['--nats', 'nats://n:4222', '--nats-user', 'u'], /QMP_CONSOLE_NATS_PASSWORD/],
    [['--nats', 'nats://n:4222', '--nats-tls-cert', 'c.pem'], /go together/],
  ])('%j is refused with a clear message', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });

  it('--fleet needs no target and boots no demo VM', () => {
    const c = parse(['--fleet', '--nats', 'nats://n:4222']);
    expect(c !== 'help' && [c.fleet, c.demo, c.targets]).toEqual([true, false, []]);
  });
});

describe('fleet names', () => {
  it('keep a dotted host name one subject and key token', () => {
    expect(eventSubject('hv1.example.com', 'db.1', 'STOP')).toBe(
      'qmp.events.hv1=2Eexample=2Ecom.db=2E1.STOP',
    );
    expect(vmKey('hv1.example.com', 'db.1')).toBe('hv1=2Eexample=2Ecom.db=2E1');
    expect(parseVmKey(vmKey('hv1.example.com', 'db.1'))).toEqual({ host: 'hv1.example.com', vm: 'db.1' });
    expect(fromToken(token(''))).toBe('');
  });

  it('split VM@HOST at the last @, and take it encoded on the WebSocket path', () => {
    expect(splitFleetName('vm1@hv1.example')).toEqual({ vm: 'vm1', host: 'hv1.example' });
    expect(splitFleetName('vm1')).toBeNull();
    expect(vmNameFromQmpPath('/qmp/vm1@hv1')).toBe('vm1@hv1');
    expect(vmNameFromQmpPath('/qmp/vm1%40hv1')).toBe('vm1@hv1');
    expect(vmNameFromQmpPath('/qmp/vm1@@hv1')).toBeNull();
    expect(vmNameFromQmpPath('/qmp/vm1@..')).toBeNull();
  });
});
