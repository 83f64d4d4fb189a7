import { describe, expect, it } from 'vitest';
import { vmNameParam, vmPath } from './routes.ts';

describe('VM routes', () => {
  it("round-trip a fleet's VM@HOST name through the address bar", () => {
    expect(vmPath('vm1@hv1.example', 'block')).toBe('/vms/vm1%40hv1.example/block');
    const segment = vmPath('vm1@hv1.example').split('/')[2]!;
    expect(vmNameParam(segment)).toBe('vm1@hv1.example');
  });

  it('keep a segment that is not valid percent-encoding as it is', () => {
    expect(vmNameParam('vm%zz')).toBe('vm%zz');
  });
});
