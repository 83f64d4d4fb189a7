import { describe, expect, it } from 'vitest';
import { ConfigError, parseCliArgs, usage } from '../config/cli-config.ts';
import { isLoopbackHost } from './security-config.ts';

const env = { HOME: '/home/u' };
const parse = (argv: string[], e: NodeJS.ProcessEnv = env) => {
  const c = parseCliArgs(argv, e);
  if (c === 'help') throw new Error('help');
  return c;
};

describe('security flags', () => {
  it('defaults to auth on with a token made at start, no TLS, no policy, and the documented limits', () => {
    const c = parse([]);
    expect(c.security).toEqual({
      auth: true,
      token: null,
      viewerToken: null,
      metricsToken: null,
      tls: null,
      readOnly: false,
      deny: [],
      allowOrigins: [],
      allowHosts: [],
    });
    expect(c.limits).toMatchObject({
      maxFrameBytes: 1048576,
      maxBytesInFlight: 4194304,
      maxInFlight: 1000,
      maxClients: 256,
      maxClientsPerVm: 64,
    });
  });

  it('takes the token from --token, else QMP_CONSOLE_TOKEN', () => {
    expect(parse([], { ...env, QMP_CONSOLE_TOKEN: 'from-the-environment-1' }).security.token).toBe(
      'from-the-environment-1',
    );
    expect(
      parse(['--token', 'from-the-flag-12345'], { ...env, QMP_CONSOLE_TOKEN: 'from-the-environment-1' })
        .security.token,
    ).toBe('from-the-flag-12345');
  });

  it('takes every flag', () => {
    const c = parse([
      '--viewer-token',
      'viewer-token-123456',
      '--metrics-token',
      'metrics-token-123456',
      '--tls-cert',
      '/c.pem',
      '--tls-key',
      '/k.pem',
      '--read-only',
      '--deny',
      'quit',
      '--deny',
      'migrate*',
      '--allow-origin',
      'https://Console.Example.com',
      '--allow-host',
      'Console.Example.com',
      '--allow-host',
      '::1',
      '--listen',
      '0.0.0.0:9000',
      '--max-clients',
      '10',
      '--max-clients-per-vm',
      '2',
    ]);
    expect(c.security).toMatchObject({
      viewerToken: 'viewer-token-123456',
      metricsToken: 'metrics-token-123456',
      tls: { certFile: '/c.pem', keyFile: '/k.pem' },
      readOnly: true,
      deny: ['quit', 'migrate*'],
      allowOrigins: ['https://console.example.com'],
      allowHosts: ['console.example.com', '[::1]'],
    });
    expect(c.limits).toMatchObject({ maxClients: 10, maxClientsPerVm: 2 });
  });

  it('allows --no-auth on loopback only', () => {
    expect(parse(['--no-auth']).security.auth).toBe(false);
    expect(parse(['--no-auth', '--listen', '[::1]:8080']).security.auth).toBe(false);
    expect(parse(['--no-auth', '--listen', 'localhost:8080']).security.auth).toBe(false);
    expect(
      parse(['--no-auth'], { ...env, QMP_CONSOLE_TOKEN: 'ignored-with-no-auth' }).security.token,
    ).toBeNull();
  });

  it.each([
    [['--no-auth', '--listen', '0.0.0.0:8080'], /--no-auth needs a loopback --listen address.*"0\.0\.0\.0"/],
    [['--no-auth', '--listen', '192.168.1.5:8080'], /--no-auth needs a loopback/],
    [['--no-auth', '--listen', '[::]:8080'], /--no-auth needs a loopback/],
    [['--no-auth', '--token', 'abcdefghijklmnop'], /cannot be combined/],
    [['--token', 'short'], /--token: use 16 to 512 characters/],
    [['--token', 'has space in it 1234'], /--token/],
    [['--token', 'semi;colon;token;1234'], /--token/],
    [['--token', 'same-token-1234567', '--viewer-token', 'same-token-1234567'], /must differ/],
    [
      ['--token', 'same-token-1234567', '--metrics-token', 'same-token-1234567'],
      /--metrics-token must differ/,
    ],
    [['--no-auth', '--metrics-token', 'abcdefghijklmnop'], /cannot be combined/],
    [['--metrics-token', 'short'], /--metrics-token: use 16 to 512/],
    [['--tls-cert', '/c.pem'], /go together/],
    [['--deny', 'bad pattern'], /--deny "bad pattern"/],
    [['--deny', ''], /--deny/],
    [['--allow-origin', 'console.example.com'], /--allow-origin/],
    [['--allow-origin', 'https://console.example.com/path'], /--allow-origin/],
    [['--allow-origin', 'null'], /--allow-origin/],
    [['--allow-host', 'evil.com:8080'], /--allow-host/],
    [['--max-clients', '0'], /--max-clients/],
    [['--max-clients-per-vm', 'x'], /--max-clients-per-vm/],
  ])('refuses %j with one clear line', (argv, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('documents every security flag and limit with its default in --help', () => {
    for (const flag of [
      '--token',
      '--viewer-token',
      '--metrics-token',
      '--no-auth',
      '--tls-cert',
      '--tls-key',
      '--read-only',
      '--deny',
      '--allow-origin',
      '--allow-host',
      '--max-clients ',
      '--max-clients-per-vm',
      '--max-frame-bytes',
      '--max-bytes-in-flight',
      '--max-in-flight',
    ])
      expect(usage).toContain(flag);
    expect(usage).toMatch(/--max-clients N .*default 256/);
    expect(usage).toMatch(/--max-clients-per-vm N .*default 64/);
    expect(usage).toMatch(/--max-frame-bytes N .*default 1048576/);
    expect(usage).toMatch(/--max-bytes-in-flight N .*default 4194304/);
  });

  it('knows loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
