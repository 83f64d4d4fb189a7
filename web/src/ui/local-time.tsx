// A time the console sent (ISO), as the app shows times: one component, so the format changes in one place.
import { formatLocal } from './time-format.ts';

export function LocalTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatLocal(iso)}</time>;
}
