import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { consoleHostNames, hostAllowed, originAllowed, parseHostHeader } from './origin-host.ts';

describe('Host', () => {
  const names = consoleHostNames('127.0.0.1', ['console.example.com']);

  it.each([
    ['127.0.0.1:8080', true],
    ['localhost:8080', true],
    ['LOCALHOST', true],
    ['localhost.:8080', true],
    ['[::1]:8080', true],
    ['console.example.com', true],
    ['console.example.com:443', true],
    ['evil.example:8080', false],
    ['127.0.0.1.evil.example', false],
    ['localhost@evil.example', false],
    ['evil.example/localhost', false],
    ['', false],
    [undefined, false],
    ['127.0.0.2:8080', false],
  ])('%s → %s', (host, ok) => {
    expect(hostAllowed(host, names)).toBe(ok);
  });

  it("includes the listen address, and on a wildcard the machine's own names", () => {
    expect(consoleHostNames('192.0.2.7', []).has('192.0.2.7')).toBe(true);
    expect(consoleHostNames('::1', []).has('[::1]')).toBe(true);
    const all = consoleHostNames('0.0.0.0', []);
    expect(all.has(os.hostname().toLowerCase())).toBe(true);
    expect(all.has('127.0.0.1')).toBe(true);
  });

  it('parses Host headers', () => {
    expect(parseHostHeader('[::1]:80')).toEqual({ hostname: '[::1]', port: '80' });
    expect(parseHostHeader('a.b')).toEqual({ hostname: 'a.b', port: '' });
    expect(parseHostHeader('a b')).toBeNull();
  });
});

describe('Origin', () => {
  it.each([
    [undefined, '127.0.0.1:8080', true],
    ['http://127.0.0.1:8080', '127.0.0.1:8080', true],
    ['http://localhost:8080', 'localhost:8080', true],
    ['http://localhost:8080', '127.0.0.1:8080', false],
    ['http://127.0.0.1:8081', '127.0.0.1:8080', false],
    ['https://evil.example', '127.0.0.1:8080', false],
    ['null', '127.0.0.1:8080', false],
    ['file://', '127.0.0.1:8080', false],
    ['https://console.example.com', 'console.example.com', true],
    ['https://console.example.com:443', 'console.example.com', true],
    ['http://console.example.com', 'console.example.com:80', true],
    ['https://console.example.com:8443', 'console.example.com', false],
    ['https://allowed.example', '127.0.0.1:8080', true],
    ['garbage', '127.0.0.1:8080', false],
  ])('%s for Host %s → %s', (origin, host, ok) => {
    expect(originAllowed(origin, host, ['https://allowed.example'])).toBe(ok);
  });
});
