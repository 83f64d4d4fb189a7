// How long a connection has been in its state: "since 10:16:53" while connected; "lost at 10:16:53, down
// for 2 min 5 s" while not, counting up. The time is the console's `since`, which retries do not move.
import { useEffect, useState } from 'react';
import type { VmConnectionState } from '../../../protocol/api.ts';
import { Timestamp } from './timestamp.tsx';

/** 125_000 → "2 min 5 s"; 3_725_000 → "1 h 2 min"; under a second → "0 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Now, once a second while mounted: a duration that counts up. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function ConnectionSince({ state, iso }: { state: VmConnectionState; iso: string }) {
  const now = useNow();
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const at = <Timestamp at={date} />;
  if (state === 'connected') return <span className="muted">since {at}</span>;
  if (state === 'connecting') return <span className="muted">trying since {at}</span>;
  return (
    <span className="connection-since">
      lost at {at}, down for {formatDuration(now - date.getTime())}
    </span>
  );
}
