// The console's one way of writing a time: `2026-11-30 10:16:53 UTC`, date first, 24-hour, with the zone
// named, in the zone the person chose (local or UTC). QEMU's event times keep their microseconds.

export type TimeZoneChoice = 'local' | 'utc';

export interface TimeFormatOptions {
  zone: TimeZoneChoice;
  /** QEMU's microseconds (0–999999), written after the seconds; omitted: whole seconds. */
  microseconds?: number;
  /** Leave the zone out where it is stated once nearby (a column of times). */
  withZone?: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function partsOf(date: Date, zone: TimeZoneChoice): Parts {
  return zone === 'utc'
    ? {
        y: date.getUTCFullYear(),
        mo: date.getUTCMonth() + 1,
        d: date.getUTCDate(),
        h: date.getUTCHours(),
        mi: date.getUTCMinutes(),
        s: date.getUTCSeconds(),
      }
    : {
        y: date.getFullYear(),
        mo: date.getMonth() + 1,
        d: date.getDate(),
        h: date.getHours(),
        mi: date.getMinutes(),
        s: date.getSeconds(),
      };
}

/** A Date from ms since the epoch, an ISO string or a Date; null when it is not a time. */
export function toDate(at: Date | number | string): Date | null {
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

const localZoneNames = new Map<string, string>();

/**
 * The zone's name at that moment: "UTC", or the local zone's short name ("CET", "EST"), else its offset
 * ("UTC+05:30") where the locale has no short name (Intl then says "GMT+5:30").
 */
export function zoneName(zone: TimeZoneChoice, at: Date = new Date()): string {
  if (zone === 'utc') return 'UTC';
  const offset = -at.getTimezoneOffset();
  const key = `${offset}`;
  const cached = localZoneNames.get(key);
  if (cached) return cached;
  const short = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const numeric = offset === 0 ? 'UTC' : `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const name = short && !/^(GMT|UTC)/.test(short) ? short : numeric;
  localZoneNames.set(key, name);
  return name;
}

/** `2026-11-30 10:16:53 UTC` (or `… 10:16:53.123456 CET` with microseconds); the input if not a time. */
export function formatTime(at: Date | number | string, options: TimeFormatOptions): string {
  const date = toDate(at);
  if (!date) return String(at);
  const p = partsOf(date, options.zone);
  const fraction = options.microseconds === undefined ? '' : `.${pad(options.microseconds, 6)}`;
  const text = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${fraction}`;
  return options.withZone === false ? text : `${text} ${zoneName(options.zone, date)}`;
}

/** `<input type="datetime-local">`'s value (to the second, in the chosen zone) for an ISO time, or ''. */
export function isoToInputValue(iso: string | null, zone: TimeZoneChoice): string {
  const date = iso ? toDate(iso) : null;
  if (!date) return '';
  const p = partsOf(date, zone);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** An ISO time (UTC) for a datetime-local value read in the chosen zone, or null when empty or invalid. */
export function inputValueToIso(value: string, zone: TimeZoneChoice): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const t = zone === 'utc' ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace('.000Z', 'Z');
}
