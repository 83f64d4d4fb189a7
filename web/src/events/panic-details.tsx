// What a panic alert adds: the panic `info` decoded (Hyper-V's bug check, s390's reason) and the screen
// as it was when the event arrived (the console took it then: `GET /api/events/SEQ/screen.png`).
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { eventScreenPath } from '../../../protocol/guest.ts';
import type { JournalAlert, JournalPage } from '../../../protocol/journal.ts';
import { fetchJson } from '../api/http.ts';
import { panicFacts } from '../qemu/panic-info.ts';
import { useTimeFormatter } from '../ui/preferences.ts';

export const PANIC_ALERT_EVENTS: ReadonlySet<string> = new Set(['GUEST_PANICKED', 'GUEST_CRASHLOADED']);

export function PanicDetails({ alert }: { alert: JournalAlert }) {
  const seq = alert.firstSeq;
  const record = useQuery({
    queryKey: ['journal', 'record', seq] as const,
    queryFn: ({ signal }) =>
      fetchJson<JournalPage>(
        `/api/vms/${encodeURIComponent(alert.vm)}/events?after=${seq - 1}&limit=1&order=asc`,
        { signal },
      ),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const event = record.data?.events.find((e) => e.seq === seq);
  const facts = panicFacts(event?.data?.info);
  const [noPicture, setNoPicture] = useState(false);
  const formatTime = useTimeFormatter();
  return (
    <div className="panic-details">
      {facts.length > 0 ? (
        <dl className="alert-facts">
          {facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {noPicture ? (
        <p className="muted small">No screenshot of that moment (the VM has no display, or QEMU was gone).</p>
      ) : (
        <figure className="panic-screen">
          <img
            src={eventScreenPath(seq)}
            alt={`Screen of ${alert.vm} when the guest panicked, ${formatTime(alert.first)}`}
            width={360}
            onError={() => setNoPicture(true)}
          />
          <figcaption className="muted small">The screen when the panic arrived</figcaption>
        </figure>
      )}
    </div>
  );
}
