import { describe, expect, it } from 'vitest';
import {
  alertIdParam,
  alertPath,
  alertsPath,
  auditPath,
  openAlertsPath,
  parseAlertFilters,
  vmNameParam,
  vmPath,
} from './routes.ts';

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

describe('alert and audit routes', () => {
  it('filters round-trip through the query string; unknown states are no filter', () => {
    const path = alertsPath({ state: 'acknowledged', vm: 'vm1@hv1' });
    expect(path).toBe('/alerts?state=acknowledged&vm=vm1%40hv1');
    expect(parseAlertFilters(path.split('?')[1]!)).toEqual({ state: 'acknowledged', vm: 'vm1@hv1' });
    expect(parseAlertFilters('state=closed&vm=')).toEqual({ state: null, vm: null });
    expect(alertsPath()).toBe('/alerts');
  });

  it('a badge leads straight to its one alert, else to the open alerts of its VM', () => {
    expect(openAlertsPath([7], 'vm1')).toBe('/alerts/7');
    expect(openAlertsPath([7, 8], 'vm1')).toBe('/alerts?state=open&vm=vm1');
    expect(openAlertsPath([7, 8])).toBe('/alerts?state=open');
    expect(alertIdParam(alertPath(12).split('/')[2]!)).toBe(12);
    expect(alertPath(12, { state: 'acknowledged' })).toBe('/alerts/12?state=acknowledged');
    expect(alertIdParam('12x')).toBeNull();
  });

  it('the audit page, optionally one VM', () => {
    expect(auditPath()).toBe('/audit');
    expect(auditPath('vm 1')).toBe('/audit?vm=vm+1');
  });
});
