import { describe, expect, it } from 'vitest';
import { explainError, policyRefusal, viewerNotice } from './policy.ts';
import type { ComposerSession } from './queries.ts';

const viewer: ComposerSession = {
  role: 'viewer',
  policy: { readOnly: false, deny: [], viewerAllow: ['query-*', 'qom-list'] },
};
const operator: ComposerSession = {
  role: 'operator',
  policy: { readOnly: false, deny: ['quit'], viewerAllow: ['query-*'] },
};
const readOnly: ComposerSession = {
  role: 'operator',
  policy: { readOnly: true, deny: [], viewerAllow: ['query-*'] },
};

describe('command policy in the composer', () => {
  it('says nothing without a session (an older console) or for allowed commands', () => {
    expect(policyRefusal('stop', null)).toBeNull();
    expect(policyRefusal('query-status', viewer)).toBeNull();
    expect(policyRefusal('stop', operator)).toBeNull();
    expect(viewerNotice(operator)).toBeNull();
    expect(viewerNotice(undefined)).toBeNull();
  });

  it('explains what a viewer may run', () => {
    expect(policyRefusal('stop', viewer)).toBe('You are a viewer: a viewer may run only query-*, qom-list.');
    expect(viewerNotice(viewer)).toContain('You may run: query-*, qom-list.');
    expect(viewerNotice(readOnly)).toContain('(the console runs read-only)');
    expect(policyRefusal('stop', readOnly)).toContain('read-only');
  });

  it('explains a --deny pattern', () => {
    expect(policyRefusal('quit', operator)).toBe(
      "The console's policy denies quit to everyone (--deny 'quit').",
    );
  });

  it('tells the console refusing from QEMU refusing', () => {
    expect(
      explainError('stop', 'GenericError', "QMP Console policy denies 'stop' to the viewer role", viewer),
    ).toMatch(/^Refused by the console, not by QEMU\./);
    expect(
      explainError('stop', 'GenericError', "QMP Console policy denies 'stop' to the viewer role", null),
    ).toMatch(/^Refused by the console’s command policy/);
    expect(explainError('query-status', 'GenericError', 'something else', viewer)).toBeNull();
    expect(
      explainError('query-hpet', 'CommandNotFound', 'The command query-hpet has not been found', null),
    ).toContain('does not have this command');
  });
});
