import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  cookieValues,
  generateToken,
  presentedTokens,
  TOKEN_PATTERN,
  TokenSet,
  tokenCookie,
} from './tokens.ts';

describe('tokens', () => {
  it('makes 256-bit, URL-safe, distinct tokens', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(TOKEN_PATTERN.test(a)).toBe(true);
    expect(new Set(Array.from({ length: 100 }, generateToken)).size).toBe(100);
  });

  it('maps each token to its role and nothing else to any', () => {
    const set = new TokenSet([
      { token: 'operator-token-123456', role: 'operator' },
      { token: 'viewer-token-1234567', role: 'viewer' },
    ]);
    expect(set.roleOf('operator-token-123456')).toBe('operator');
    expect(set.roleOf('viewer-token-1234567')).toBe('viewer');
    for (const wrong of [
      '',
      'operator-token-12345',
      'operator-token-1234567',
      'OPERATOR-TOKEN-123456',
      'x'.repeat(5000),
    ])
      expect(set.roleOf(wrong)).toBeNull();
    expect(new TokenSet([]).roleOf('anything')).toBeNull();
  });

  it('finds bearer, query and cookie tokens, most explicit first', () => {
    const req = {
      headers: {
        authorization: 'Bearer abc',
        cookie: 'other=1; qmp-console-8080=fromcookie; qmp-console-8080="second"',
      },
    } as unknown as IncomingMessage;
    expect(presentedTokens(req, new URL('http://h/x?token=fromquery'), 'qmp-console-8080')).toEqual([
      'abc',
      'fromquery',
      'fromcookie',
      'second',
    ]);
    const none = { headers: { authorization: 'Basic abc' } } as unknown as IncomingMessage;
    expect(presentedTokens(none, new URL('http://h/'), 'c')).toEqual([]);
  });

  it('parses cookies by exact name', () => {
    expect(cookieValues('a=1; ab=2;a=3', 'a')).toEqual(['1', '3']);
    expect(cookieValues(undefined, 'a')).toEqual([]);
  });

  it('makes an HttpOnly, SameSite=Strict cookie, Secure under TLS', () => {
    expect(tokenCookie('n', 't', false)).toBe('n=t; HttpOnly; SameSite=Strict; Path=/');
    expect(tokenCookie('n', 't', true)).toBe('n=t; HttpOnly; SameSite=Strict; Path=/; Secure');
  });
});
