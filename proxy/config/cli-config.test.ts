import { describe, expect, it } from 'vitest';
import { ConfigError, parseCliArgs } from './cli-config.ts';

const env = { HOME: '/home/u' };

describe('parseCliArgs', () => {
  it('defaults to loopback:8080 and the demo VM', () => {
    const c = parseCliArgs([], env);
    expect(c).toMatchObject({ listen: { host: '127.0.0.1', port: 8080 }, demo: true, targets: [] });
  });

  it('takes repeated targets in QEMU address syntax', () => {
    const c = parseCliArgs(
      ['--target', 'a=unix:/run/a.qmp', '--target', 'b=tcp:127.0.0.1:4444', '--listen', '[::1]:9000'],
      env,
    );
    if (c === 'help') throw new Error('unexpected help');
    expect(c.demo).toBe(false);
    expect(c.targets.map((t) => t.name)).toEqual(['a', 'b']);
    expect(c.listen).toEqual({ host: '::1', port: 9000 });
  });

  it('returns help for --help', () => {
    expect(parseCliArgs(['--help'], env)).toBe('help');
  });

  it.each([
    [['--bogus'], /--bogus/],
    [['--target', 'a=/tmp/x'], /--target.*unix: or tcp:/],
    [['--target', 'a=unix:/x', '--target', 'a=unix:/y'], /given twice/],
    [['--listen', 'nope'], /--listen "nope"/],
    [['--max-frame-bytes', '-3'], /--max-frame-bytes/],
    [['stray'], /unexpected argument "stray"/],
    [['--target', 'a=unix:/x', '--listen-qmp', 'b=unix:/y'], /no --target named "b"/],
  ])('rejects %j with one line naming the flag', (argv, message) => {
    expect(() => parseCliArgs(argv, env)).toThrow(ConfigError);
    try {
      parseCliArgs(argv, env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
