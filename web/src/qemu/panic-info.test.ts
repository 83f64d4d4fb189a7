import { describe, expect, it } from 'vitest';
import { panicFacts } from './panic-info.ts';

describe('panicFacts', () => {
  it("names Hyper-V's bug check and lists its parameters in hex", () => {
    const facts = panicFacts({ type: 'hyper-v', arg1: 0x1e, arg2: 0xc0000005, arg3: 0, arg4: 1, arg5: 2 });
    expect(facts).toContainEqual({ label: 'Bug check', value: '0x0000001e (KMODE_EXCEPTION_NOT_HANDLED)' });
    expect(facts).toContainEqual({ label: 'Parameter 1', value: '0xc0000005' });
    expect(facts.filter((f) => f.label.startsWith('Parameter'))).toHaveLength(4);
  });

  it("says s390's reason in words", () => {
    const facts = panicFacts({
      type: 's390',
      core: 0,
      'psw-mask': 1,
      'psw-addr': 2,
      reason: 'disabled-wait',
    });
    expect(facts).toContainEqual({
      label: 'Reason',
      value: 'the CPU entered a disabled wait (the kernel stopped itself)',
    });
  });

  it('gives nothing without info (pvpanic), and the raw JSON for a kind it does not know', () => {
    expect(panicFacts(undefined)).toEqual([]);
    expect(panicFacts({ type: 'other', x: 1 })).toEqual([
      { label: 'Panic information', value: '{"type":"other","x":1}' },
    ]);
  });
});
