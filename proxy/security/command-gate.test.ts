import { describe, expect, it } from 'vitest';
import { VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import { createCommandGate } from './command-gate.ts';

const gate = createCommandGate({ readOnly: false, deny: ['quit'], viewerAllow: [...VIEWER_ALLOW] });
const operator = { role: 'operator', remoteAddress: 'x' } as const;
const viewer = { role: 'viewer', remoteAddress: 'x' } as const;

describe('createCommandGate', () => {
  it('passes what the policy allows and answers the rest with GenericError', () => {
    expect(gate('stop', undefined, operator)).toBeNull();
    expect(gate('query-status', undefined, viewer)).toBeNull();
    expect(gate('stop', undefined, viewer)).toEqual({
      class: 'GenericError',
      desc: "QMP Console policy denies 'stop' to the viewer role",
    });
    expect(gate('quit', undefined, operator)).toMatchObject({ class: 'GenericError' });
  });

  it('answers a name no QEMU command could have without sending it to QEMU', () => {
    const r = gate(`query-${'x'.repeat(900_000)}`, undefined, operator);
    expect(r?.class).toBe('CommandNotFound');
    expect(r!.desc.length).toBeLessThan(120);
    expect(gate('x'.repeat(128), undefined, operator)).toBeNull();
  });
});
