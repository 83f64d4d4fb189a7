import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandPolicyInfo } from './api.ts';
import { decideCommand, denialMessage, globMatch, VIEWER_ALLOW } from './command-policy.ts';

const policy = (p: Partial<CommandPolicyInfo> = {}): CommandPolicyInfo => ({
  readOnly: false,
  deny: [],
  viewerAllow: [...VIEWER_ALLOW],
  ...p,
});

describe('globMatch', () => {
  it.each([
    ['quit', 'quit', true],
    ['quit', 'quit2', false],
    ['migrate*', 'migrate', true],
    ['migrate*', 'migrate-set-parameters', true],
    ['migrate*', 'x-migrate', false],
    ['*migrate*', 'query-migrate', true],
    ['query-?', 'query-a', true],
    ['query-?', 'query-ab', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['a*', 'a*b', true],
    ['QUIT', 'quit', false],
  ])('%s ~ %s → %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('agrees with an anchored regular expression on random input', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: alphabet, maxLength: 12 }),
        (p, t) => {
          const re = new RegExp(`^${p.replace(/[-]/g, '\\-').replace(/\*/g, '[^]*').replace(/\?/g, '[^]')}$`);
          expect(globMatch(p, t)).toBe(re.test(t));
        },
      ),
      { numRuns: 2000 },
    );
  });

  // A backtracking matcher would not finish this within the test's timeout.
  it('answers on a long hostile name', () => {
    expect(globMatch('a*a*a*a*a*b', 'a'.repeat(200_000))).toBe(false);
  });
});

describe('decideCommand', () => {
  it('lets an operator run anything not denied', () => {
    for (const c of ['stop', 'quit', 'human-monitor-command', 'query-status'])
      expect(decideCommand(c, 'operator', policy()).allowed).toBe(true);
  });

  it('lets a viewer run query-* and the allowlist only', () => {
    for (const c of ['query-status', 'query-block', 'qom-list', 'qom-list-types'])
      expect(decideCommand(c, 'viewer', policy())).toEqual({ allowed: true });
    for (const c of [
      'device-list-properties',
      'qom-list-properties',
      'stop',
      'cont',
      'human-monitor-command',
      'qom-get',
      'qom-set',
      'x-query-profile',
      'query_status',
      'Query-status',
      'quit',
    ])
      expect(decideCommand(c, 'viewer', policy())).toEqual({ allowed: false, why: 'viewer' });
  });

  it('makes everybody a viewer with --read-only', () => {
    expect(decideCommand('stop', 'operator', policy({ readOnly: true }))).toEqual({
      allowed: false,
      why: 'viewer',
    });
    expect(decideCommand('query-status', 'operator', policy({ readOnly: true })).allowed).toBe(true);
  });

  it('applies --deny to every role, before anything else', () => {
    const p = policy({ deny: ['quit', 'migrate*', 'query-vnc'] });
    expect(decideCommand('quit', 'operator', p)).toEqual({ allowed: false, why: 'deny', pattern: 'quit' });
    expect(decideCommand('migrate-incoming', 'operator', p)).toMatchObject({
      allowed: false,
      pattern: 'migrate*',
    });
    expect(decideCommand('query-vnc', 'viewer', p)).toMatchObject({ allowed: false, why: 'deny' });
    expect(decideCommand('query-migrate', 'operator', p).allowed).toBe(true);
  });

  it('says why in the QMP error desc', () => {
    expect(denialMessage('stop', decideCommand('stop', 'viewer', policy()))).toBe(
      "QMP Console policy denies 'stop' to the viewer role",
    );
    expect(denialMessage('quit', decideCommand('quit', 'operator', policy({ deny: ['qu*'] })))).toBe(
      "QMP Console policy denies 'quit' to every role (--deny 'qu*')",
    );
    expect(denialMessage('x'.repeat(500), { allowed: false, why: 'viewer' }).length).toBeLessThan(200);
  });
});
