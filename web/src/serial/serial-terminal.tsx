// One ringbuf chardev in xterm.js: output polled from the console's log while the tab is visible, input
// sent with `ringbuf-write` (base64: any byte a key makes).
import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { type SerialChunk, serialPath } from '../../../protocol/guest.ts';
import { fetchJson } from '../api/http.ts';
import { qmpClients } from '../api/qmp-clients.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { base64ToBytes, textToBase64 } from './serial-bytes.ts';
import './serial.css';

const POLL_MS = 500;

export function SerialTerminal({ vm, device, canWrite }: { vm: string; device: string; canWrite: boolean }) {
  const host = useRef<HTMLElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [received, setReceived] = useState(0);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      convertEol: false,
      disableStdin: !canWrite,
      rows: 24,
      cols: 80,
      screenReaderMode: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    });
    term.open(el);
    let after = -1;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      timer = null;
      if (stopped) return;
      if (!document.hidden) {
        try {
          const chunk = await fetchJson<SerialChunk>(`${serialPath(vm, device)}?after=${after}`);
          if (stopped) return;
          if (chunk.dropped > 0) term.write(`\r\n[${chunk.dropped} bytes not kept]\r\n`);
          if (chunk.data) term.write(base64ToBytes(chunk.data));
          if (chunk.end !== after) setReceived(chunk.end);
          after = chunk.end;
          setProblem(null);
        } catch (err) {
          setProblem(errorMessage(err));
        }
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    const input = term.onData((data) => {
      if (!canWrite) return;
      qmpClients
        .get(vm)
        .execute('ringbuf-write', { device, data: textToBase64(data), format: 'base64' })
        .catch((err: unknown) => setProblem(`Could not send: ${errorMessage(err)}`));
    });
    const onVisible = () => {
      if (!document.hidden && timer === null && !stopped) void poll();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      input.dispose();
      term.dispose();
    };
  }, [vm, device, canWrite]);

  return (
    <section className="panel" aria-labelledby="serial-term-heading">
      <div className="panel-head">
        <h2 id="serial-term-heading">
          <code>{device}</code>
        </h2>
        <span className="muted panel-refreshed" aria-live="off">
          {received.toLocaleString('en-US')} bytes received
          {canWrite ? '; typing writes into the ring (ringbuf-write)' : ''}
        </span>
      </div>
      {problem ? <p className="notice notice-error">{problem}</p> : null}
      <section ref={host} className="serial-terminal" aria-label={`Serial console ${device}`} />
    </section>
  );
}
