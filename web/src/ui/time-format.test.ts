import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTime, inputValueToIso, isoToInputValue, zoneName } from './time-format.ts';

// 2026-11-30 10:16:53.250 UTC.
const AT = Date.UTC(2026, 10, 30, 10, 16, 53, 250);

describe('the one time format', () => {
  const tz = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = 'America/New_York';
  });
  afterEach(() => {
    process.env.TZ = tz;
  });

  it('writes date first, 24-hour, and names the zone: UTC or the local one', () => {
    expect(formatTime(AT, { zone: 'utc' })).toBe('2026-11-30 10:16:53 UTC');
    expect(formatTime(AT, { zone: 'local' })).toBe('2026-11-30 05:16:53 EST');
    // Summer time is named as such.
    expect(formatTime(Date.UTC(2026, 6, 1, 12), { zone: 'local' })).toBe('2026-07-01 08:00:00 EDT');
    expect(zoneName('utc')).toBe('UTC');
  });

  it('takes ms, ISO strings and Dates alike; keeps QEMU microseconds; leaves out the zone when asked', () => {
    const iso = new Date(AT).toISOString();
    expect(formatTime(iso, { zone: 'utc' })).toBe(formatTime(new Date(AT), { zone: 'utc' }));
    expect(formatTime(AT, { zone: 'utc', microseconds: 250_007, withZone: false })).toBe(
      '2026-11-30 10:16:53.250007',
    );
    expect(formatTime(AT, { zone: 'utc', microseconds: 7 })).toBe('2026-11-30 10:16:53.000007 UTC');
    expect(formatTime('not a time', { zone: 'utc' })).toBe('not a time');
  });

  it('names a zone without a short name by its offset', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(zoneName('local', new Date(AT))).toBe('UTC+05:30');
    expect(formatTime(AT, { zone: 'local' })).toBe('2026-11-30 15:46:53 UTC+05:30');
  });

  it('reads and writes the time range fields in the chosen zone', () => {
    expect(isoToInputValue('2026-11-30T10:16:53Z', 'utc')).toBe('2026-11-30T10:16:53');
    expect(isoToInputValue('2026-11-30T10:16:53Z', 'local')).toBe('2026-11-30T05:16:53');
    expect(inputValueToIso('2026-11-30T10:16:53', 'utc')).toBe('2026-11-30T10:16:53Z');
    expect(inputValueToIso('2026-11-30T05:16:53', 'local')).toBe('2026-11-30T10:16:53Z');
    // Chromium leaves out the seconds when they are 0.
    expect(inputValueToIso('2026-11-30T10:16', 'utc')).toBe('2026-11-30T10:16:00Z');
    expect(inputValueToIso('', 'utc')).toBeNull();
    expect(inputValueToIso('yesterday', 'utc')).toBeNull();
    expect(isoToInputValue(null, 'utc')).toBe('');
  });
});
