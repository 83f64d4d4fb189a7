import { describe, expect, it } from 'vitest';
import { explainQmpError, type PolicySession, refusalSentence, viewerNotice } from './refusal.ts';

const viewer: PolicySession = {
  role: 'viewer',
  policy: { readOnly: false, deny: [], viewerAllow: ['query-*', 'qom-list'] },
};
const operator: PolicySession = {
  role: 'operator',
  policy: { readOnly: false, deny: ['quit'], viewerAllow: ['query-*'] },
};
const readOnly: PolicySession = {
  role: 'operator',
  policy: { readOnly: true, deny: [], viewerAllow: ['query-*'] },
};

describe('the sentence for a refused command', () => {
  it('says nothing without a session (an older console) or for allowed commands', () => {
    expect(refusalSentence(null, 'stop')).toBeNull();
    expect(refusalSentence(viewer, 'query-status')).toBeNull();
    expect(refusalSentence(operator, 'stop')).toBeNull();
    expect(viewerNotice(operator)).toBeNull();
    expect(viewerNotice(undefined)).toBeNull();
  });

  it('explains what a viewer may run', () => {
    expect(refusalSentence(viewer, 'stop')).toBe(
      'Viewers may not run stop: a viewer may run only query-*, qom-list.',
    );
    expect(viewerNotice(viewer)).toContain('You may run: query-*, qom-list.');
    expect(viewerNotice(readOnly)).toContain('(the console runs read-only)');
    expect(refusalSentence(readOnly, 'stop')).toContain('read-only');
  });

  it('explains a --deny pattern', () => {
    expect(refusalSentence(operator, 'quit')).toBe(
      "The console's policy denies quit to everyone (--deny 'quit').",
    );
  });

  it('tells the console refusing from QEMU refusing', () => {
    expect(
      explainQmpError('stop', 'GenericError', "QMP Console policy denies 'stop' to the viewer role", viewer),
    ).toMatch(/^Refused by the console, not by QEMU\./);
    expect(
      explainQmpError('stop', 'GenericError', "QMP Console policy denies 'stop' to the viewer role", null),
    ).toMatch(/^Refused by the console, not by QEMU: ask an operator/);
    expect(explainQmpError('query-status', 'GenericError', 'something else', viewer)).toBeNull();
    expect(
      explainQmpError('query-hpet', 'CommandNotFound', 'The command query-hpet has not been found', null),
    ).toContain('does not have this command');
  });
});

describe('refusalSentence for the run controls', () => {
  const policy = { readOnly: false, deny: ['quit', 'system_*'], viewerAllow: ['query-*'] };
  const as = (role: 'operator' | 'viewer', p = policy) => ({ role, auth: true, policy: p });

  it('follows the console policy: deny for everyone, an allowlist for viewers', () => {
    expect(refusalSentence(null, 'quit')).toBeNull();
    expect(refusalSentence(as('operator'), 'cont')).toBeNull();
    expect(refusalSentence(as('operator'), 'system_reset')).toBe(
      "The console's policy denies system_reset to everyone (--deny 'system_*').",
    );
    expect(refusalSentence(as('viewer'), 'query-status')).toBeNull();
    expect(refusalSentence(as('viewer'), 'cont')).toBe(
      'Viewers may not run cont: a viewer may run only query-*.',
    );
    expect(refusalSentence(as('operator', { ...policy, readOnly: true }), 'cont')).toBe(
      'Viewers may not run cont (the console runs read-only): a viewer may run only query-*.',
    );
  });
});
