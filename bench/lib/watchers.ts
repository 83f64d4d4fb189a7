// Clients that only watch events through the console: WebSocket QMP clients and an SSE journal
// stream. Each counts the storm's QEMU events and their delay from QEMU's timestamp to receipt.
import http from 'node:http';
import WebSocket from 'ws';

/** Wall-clock now in ms, with sub-ms precision: the same clock as QEMU's event timestamps. */
const nowMs = () => performance.timeOrigin + performance.now();

export interface Watcher {
  readonly kind: 'websocket' | 'sse';
  /** QEMU events seen (RESUME, STOP, BLOCK_IO_ERROR). */
  count: number;
  /** Delay of each, in ms. */
  delays: number[];
  reset(): void;
  close(): void;
}

const STORM_EVENTS = ['"BLOCK_IO_ERROR"', '"STOP"', '"RESUME"'];

/** QEMU's `"seconds": S, "microseconds": U` (with or without spaces) as ms, or NaN. */
export function timestampMs(text: string): number {
  const s = text.indexOf('"seconds":');
  const u = text.indexOf('"microseconds":', s);
  if (s === -1 || u === -1) return Number.NaN;
  const seconds = Number.parseInt(text.slice(s + 10, s + 24).trim(), 10);
  const micro = Number.parseInt(text.slice(u + 15, u + 26).trim(), 10);
  return seconds * 1000 + micro / 1000;
}

function stormEvent(text: string): boolean {
  for (const name of STORM_EVENTS) if (text.includes(name)) return true;
  return false;
}

/** A negotiated WebSocket client of the console that counts events. */
export async function watchWebSocket(url: string, headers: Record<string, string>): Promise<Watcher> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, skipUTF8Validation: true });
  let negotiated: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    negotiated = resolve;
  });
  const w: Watcher = {
    kind: 'websocket',
    count: 0,
    delays: [],
    reset() {
      w.count = 0;
      w.delays = [];
    },
    close: () => ws.terminate(),
  };
  ws.on('message', (data: Buffer) => {
    const t = nowMs();
    // Only the head: QEMU puts the timestamp and the event name first.
    const head = data.toString('latin1', 0, 120);
    if (head.startsWith('{"timestamp"')) {
      if (!stormEvent(head)) return;
      w.count++;
      w.delays.push(t - timestampMs(head));
    } else if (head.startsWith('{"QMP"')) {
      ws.send('{"execute":"qmp_capabilities","id":0}');
    } else if (head.includes('"return"')) {
      negotiated();
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`WebSocket: HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => {});
  await ready;
  return w;
}

/** The journal's SSE stream of one VM; resolves once it is open. */
export async function watchSse(url: string, headers: Record<string, string>): Promise<Watcher> {
  let req: http.ClientRequest | null = null;
  const w: Watcher = {
    kind: 'sse',
    count: 0,
    delays: [],
    reset() {
      w.count = 0;
      w.delays = [];
    },
    close: () => req?.destroy(),
  };
  await new Promise<void>((resolve, reject) => {
    req = http.get(url, { headers: { ...headers, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let rest = '';
      res.on('data', (chunk: string) => {
        const t = nowMs();
        const text = rest + chunk;
        let start = 0;
        let end = text.indexOf('\n\n');
        while (end !== -1) {
          const frame = text.slice(start, end);
          start = end + 2;
          end = text.indexOf('\n\n', start);
          // Journal records only (`event: qmp`), QEMU's own (not the console's entries).
          if (!frame.includes('\nevent: qmp\n') || frame.includes('"source":"console"')) continue;
          if (!stormEvent(frame)) continue;
          w.count++;
          w.delays.push(t - timestampMs(frame));
        }
        rest = text.slice(start);
      });
      res.on('error', () => {});
      resolve();
    });
    req.on('error', reject);
  });
  return w;
}
