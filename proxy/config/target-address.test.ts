import { describe, expect, it } from 'vitest';
import { formatAddress } from '../qmp/target.ts';
import { parseTarget } from './target-address.ts';

describe('parseTarget', () => {
  it('reads QEMU unix and tcp addresses', () => {
    expect(parseTarget('vm1=unix:/run/vm1.qmp')).toEqual({
      name: 'vm1',
      address: { kind: 'unix', path: '/run/vm1.qmp' },
    });
    expect(parseTarget('db=tcp:localhost:4444')).toEqual({
      name: 'db',
      address: { kind: 'tcp', host: 'localhost', port: 4444 },
    });
    expect(parseTarget('v6=tcp:[::1]:4444').address).toEqual({ kind: 'tcp', host: '::1', port: 4444 });
  });

  it('ignores QEMU chardev options after a comma', () => {
    expect(parseTarget('a=unix:/x.sock,server=on,wait=off').address).toEqual({
      kind: 'unix',
      path: '/x.sock',
    });
    expect(parseTarget('a=tcp:127.0.0.1:4444,nodelay=on').address).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 4444,
    });
  });

  it.each([
    ['no name', 'unix:/x', /NAME=/],
    ['bad name', '../x=unix:/x', /VM name/],
    ['unknown scheme', 'a=/run/x.sock', /must start with unix: or tcp:/],
    ['missing port', 'a=tcp:host', /tcp:HOST:PORT/],
    ['port out of range', 'a=tcp:host:70000', /tcp:HOST:PORT/],
    ['empty path', 'a=unix:', /empty socket path/],
  ])('rejects %s with a message naming the problem', (_what, spec, message) => {
    expect(() => parseTarget(spec)).toThrow(message);
  });

  it('formats addresses back in the same syntax', () => {
    expect(formatAddress(parseTarget('a=tcp:[::1]:1').address)).toBe('tcp:[::1]:1');
    expect(formatAddress(parseTarget('a=unix:/r/q').address)).toBe('unix:/r/q');
  });
});
