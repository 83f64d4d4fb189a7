// A time on the page: `<time>` with the machine-readable ISO value, written by the one formatter in the
// zone the person chose (ui/preferences.ts).
import { useTimeFormatter } from './preferences.ts';
import { toDate } from './time-format.ts';

export interface TimestampProps {
  /** ms since the epoch, an ISO string or a Date. */
  at: Date | number | string;
  /** QEMU's microseconds, written after the seconds. */
  microseconds?: number;
  /** Leave the zone out where it is stated once nearby. */
  withZone?: boolean;
  className?: string;
}

export function Timestamp({ at, microseconds, withZone, className }: TimestampProps) {
  const format = useTimeFormatter();
  const date = toDate(at);
  return (
    <time className={className} dateTime={date?.toISOString()}>
      {format(at, { microseconds, withZone })}
    </time>
  );
}
