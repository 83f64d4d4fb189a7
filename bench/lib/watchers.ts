// Clients that only watch events through the console: WebSocket QMP clients and an SSE journal
// stream. Each counts the storm's QEMU events and their delay from QEMU's timestamp to receipt.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

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

/** The names after their opening quote, with their closing one. */
const STORM_NAMES = STORM_EVENTS.map((n) => Buffer.from(n.slice(1)));
// QEMU's own layout: `{"timestamp": {"seconds": 1764563000, "microseconds": 123456}, "event": "STOP"…`.
const SECONDS_AT = 26;
const MICRO_AT = 54;
const NAME_AFTER_MICRO = 13; // `}, "event": "`

/**
 * A storm event's timestamp in ms, read from the frame's bytes where QEMU's layout puts it; NaN for
 * another event; undefined for anything not in that layout (read as text instead). A hundred watchers
 * read ~400,000 frames a second: this costs ~0.3 µs a frame where decoding it to a string first cost
 * ~0.8 µs (and left garbage), so the delays measured are the console's rather than the reader's.
 */
export function stormTimestampAt(buf: Buffer, start: number, end: number): number | undefined {
  if (
    end - start < MICRO_AT + 20 ||
    buf[start + 2] !== 0x74 /* t */ ||
    buf[start + SECONDS_AT - 1] !== 0x20 ||
    buf[start + MICRO_AT - 1] !== 0x20
  )
    return undefined;
  let seconds = 0;
  for (let i = start + SECONDS_AT; i < start + SECONDS_AT + 10; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return undefined;
    seconds = seconds * 10 + c;
  }
  let micro = 0;
  let i = start + MICRO_AT;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) break;
    micro = micro * 10 + c;
  }
  if (buf[i] !== 0x7d /* } */) return undefined;
  const at = i + NAME_AFTER_MICRO;
  names: for (const name of STORM_NAMES) {
    if (at + name.length > end) continue;
    for (let j = 0; j < name.length; j++) if (buf[at + j] !== name[j]) continue names;
    return seconds * 1000 + micro / 1000;
  }
  return Number.NaN;
}

/**
 * A negotiated WebSocket client of the console that counts events. A bare RFC 6455 client over a TCP
 * socket rather than the `ws` library: a hundred of them in this one process must read a storm's
 * frames far faster than the console sends them, or the delays measured would be this process's.
 */
export async function watchWebSocket(url: string, headers: Record<string, string>): Promise<Watcher> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.setNoDelay(true);
  const w: Watcher = {
    kind: 'websocket',
    count: 0,
    delays: [],
    reset() {
      w.count = 0;
      w.delays = [];
    },
    close: () => socket.destroy(),
  };
  const key = randomBytes(16).toString('base64');
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
  let negotiated: () => void = () => {};
  let failed: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    negotiated = resolve;
    failed = reject;
  });
  socket.on('error', (err) => failed(err));
  socket.on('close', () => failed(new Error('WebSocket watcher: connection closed')));
  let handshake = true;
  let buf: Buffer = Buffer.alloc(0);
  const onText = (buf: Buffer, start: number, end: number, t: number) => {
    const ms = stormTimestampAt(buf, start, end);
    if (ms !== undefined) {
      if (Number.isNaN(ms)) return;
      w.count++;
      w.delays.push(t - ms);
      return;
    }
    const head = buf.toString('latin1', start, Math.min(end, start + 120));
    if (head.startsWith('{"timestamp"')) {
      if (!stormEvent(head)) return;
      w.count++;
      w.delays.push(t - timestampMs(head));
    } else if (head.startsWith('{"QMP"')) {
      socket.write(clientFrame('{"execute":"qmp_capabilities","id":0}'));
    } else if (head.includes('"return"')) {
      negotiated();
    }
  };
  socket.on('data', (chunk: Buffer) => {
    const t = nowMs();
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (handshake) {
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = buf.toString('latin1', 0, buf.indexOf('\r\n'));
      if (!status.includes(' 101 ')) {
        failed(new Error(`WebSocket watcher: ${status}`));
        socket.destroy();
        return;
      }
      handshake = false;
      buf = buf.subarray(end + 4);
    }
    // Server frames are unmasked: opcode, length (7, 16 or 64 bits), payload.
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = buf[at]! & 0x0f;
      let len = buf[at + 1]! & 0x7f;
      let start = at + 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = Number(buf.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (buf.length < start + len) break;
      if (opcode === 1) onText(buf, start, start + len, t);
      at = start + len;
    }
    buf = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
  });
  await ready;
  return w;
}

/** A client → server text frame (clients must mask). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('clientFrame: short messages only');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
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
