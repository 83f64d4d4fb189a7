// Robustness: at least 10,000 generated hostile frames at a console in front of a real QEMU. After
// them the proxy still answers, holds nothing it should have let go (no client, no command waiting
// for QEMU, its heap back near where it started), and QEMU is running, answering, and untouched.
//
// Seeded (FUZZ_SEED=n to replay a run). Frames QEMU would have to read are kept small: QEMU 7.2 reads
// its monitor one byte per syscall (~9 µs a byte), so big frames go where the proxy answers itself.

import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../protocol/api.ts';
import type { Json } from '../../protocol/qmp.ts';
import { DEFAULT_MAX_VIEWER_FRAME_BYTES } from '../http/qmp-websocket.ts';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';

process.env.QMP_CONSOLE_LOG = 'silent';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026);
const FRAMES = 10_000;
const SYNC_EVERY = 100;

const qemu = useQemu({ secondMonitor: true });
let tc: TestConsole;
let monitor2: QmpSocketClient;

function forceGc(): () => void {
  const g = globalThis as { gc?: () => void };
  if (g.gc) return g.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const gc = forceGc();

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed;
}

beforeAll(async () => {
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    // The generator sends the operator's quit, stop, cont and system_* on purpose: --deny must hold.
    args: [
      '--viewer-token',
      TEST_VIEWER_TOKEN,
      '--deny',
      'quit',
      '--deny',
      'stop',
      '--deny',
      'cont',
      '--deny',
      'system_*',
    ],
  });
  monitor2 = await connectQmp(qemu().secondMonitorPath!);
  await monitor2.negotiate();
  const deadline = Date.now() + 10_000;
  while (tc.running.hub.get('vm')!.upstream.status.state !== 'connected') {
    if (Date.now() > deadline) throw new Error('console never connected to QEMU');
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await monitor2?.close();
  await tc?.stop();
});

/** mulberry32: small, fast, seeded. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const chance = (p: number) => next() < p;
  /** Log-uniform size: as many small as large. */
  const size = (lo: number, hi: number) =>
    Math.floor(Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))));
  return { next, int, pick, chance, size };
}
type Rng = ReturnType<typeof rng>;

const QUERIES = [
  'query-status',
  'query-version',
  'query-name',
  'query-uuid',
  'query-kvm',
  'query-block',
  'query-blockstats',
  'query-chardev',
  'query-cpus-fast',
  'query-memory-size-summary',
  'query-pci',
  'query-commands',
  'query-events',
  'query-migrate',
  'query-iothreads',
  'query-hotpluggable-cpus',
  'query-machines',
  'query-balloon',
] as const;
/** Denied to the viewer by the role, to everyone by --deny, or unknown to QEMU: all answered without effect. */
const REFUSED = [
  'stop',
  'cont',
  'quit',
  'system_reset',
  'system_powerdown',
  'human-monitor-command',
  'qom-set',
  'qom-get',
] as const;
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\n',
  '\r\n',
  '"',
  '\\',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\ufdd0',
  '\u{10ffff}',
  '\u2028',
  '😀',
  'é',
  '\u001b[31m',
  '{"execute":"quit"}',
  '\n{"execute":"quit"}\n',
  '</script>',
  '%00',
  '../..',
] as const;

function randomString(r: Rng, max = 40): string {
  if (r.chance(0.3)) return r.pick(NASTY_STRINGS);
  let s = '';
  const n = r.int(0, max);
  for (let i = 0; i < n; i++)
    s += String.fromCodePoint(r.chance(0.8) ? r.int(0x20, 0x7e) : r.int(0, 0x2ffff));
  return s;
}

function randomJson(r: Rng, depth = 0): Json {
  switch (r.int(0, depth > 3 ? 3 : 6)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -0, 1, -1, 2 ** 53, 2 ** 64, 1e308, 1e-308, 0.1, r.next() * 1e9 - 5e8]);
    case 3:
      return randomString(r);
    case 4:
    case 5:
      return Array.from({ length: r.int(0, 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = r.int(0, 4); i > 0; i--) o[randomString(r, 12)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

const nest = (depth: number, inner: string, open = '[', close = ']') =>
  open.repeat(depth) + inner + close.repeat(depth);

type Frame = { data: string | Buffer; binary?: boolean; closes?: number };

/** One hostile frame; `closes` names the close code the frame must end the connection with. */
function generateFrame(r: Rng): Frame {
  const id = () => (r.chance(0.7) ? r.int(0, 1e6) : randomJson(r));
  const roll = r.next();
  if (roll < 0.2) {
    // Well-formed, small, forwarded (or refused by the role): QEMU reads these.
    const req: Record<string, Json> = {
      execute: r.chance(0.8) ? r.pick(QUERIES) : r.pick(REFUSED),
      id: id(),
    };
    if (r.chance(0.3)) req.arguments = { [randomString(r, 8)]: randomJson(r) };
    return { data: JSON.stringify(req) };
  }
  if (roll < 0.27) return { data: JSON.stringify({ execute: `fz-${randomString(r, 10)}`, id: id() }) };
  if (roll < 0.42) {
    // Malformed JSON: a valid frame cut, spliced or sprinkled with noise, or pure noise.
    const base = JSON.stringify({ execute: r.pick(QUERIES), arguments: { a: randomJson(r) }, id: id() });
    switch (r.int(0, 4)) {
      case 0:
        return { data: base.slice(0, r.int(0, base.length - 1)) };
      case 1: {
        const at = r.int(0, base.length);
        return { data: base.slice(0, at) + randomString(r, 5) + base.slice(at) };
      }
      case 2:
        return {
          data: base.replace(/[{}[\]:,"]/, r.pick(['', '{', '}', '[', ']', ':', ',', '"', "'", '\\'])),
        };
      case 3:
        return { data: randomString(r, 200) };
      default:
        return {
          data: r.pick([
            '',
            ' ',
            'null',
            '[]',
            '"execute"',
            '1',
            'true',
            '{',
            '}',
            '{}',
            '{"execute"}',
            "{'execute':'query-status'}",
          ]),
        };
    }
  }
  if (roll < 0.52) {
    // Deep nesting: around QEMU's limit of 1024, and far past it (V8 parses it; serialising it would overflow).
    // Up to 300,000 levels of brackets (600 KB) or 150,000 of objects (900 KB): under the 1 MiB frame limit.
    const depth = r.chance(0.5) ? r.int(1000, 1050) : r.size(2000, 300_000);
    const objectDepth = Math.min(depth, 150_000);
    const smuggle = '{"execute":"quit","id":"SMUGGLED"}';
    switch (r.int(0, 4)) {
      case 0:
        return { data: `{"execute":"query-status","arguments":{"x":${nest(depth, smuggle)}},"id":1}` };
      case 1:
        return { data: `{"execute":"query-status","id":${nest(depth, '0')}}` };
      case 2:
        return { data: nest(depth, smuggle) };
      case 3:
        return { data: `{"execute":"query-status","arguments":${nest(objectDepth, '"a":1', '{"b":', '}')}}` };
      default:
        return { data: `{"id":${nest(objectDepth, '1', '{"a":', '}')}}` };
    }
  }
  if (roll < 0.56) {
    // Huge strings, where the proxy answers itself (not QEMU).
    const big = 'x'.repeat(r.size(10_000, 900_000));
    return {
      data: r.pick([
        () => JSON.stringify({ execute: 'query-status', id: 1, [big.slice(0, 100)]: big }),
        () => JSON.stringify({ id: big }),
        () => JSON.stringify({ execute: 'fz', arguments: big }),
        () => JSON.stringify({ execute: big, id: 'big-name' }),
        () => `"${big}`,
      ])(),
    };
  }
  if (roll < 0.7) {
    // Wrong types and shapes.
    const wrong = r.pick([null, true, 1, 1.5, [], ['query-status'], {}, { execute: 'query-status' }, '']);
    return {
      data: JSON.stringify(
        r.pick([
          () => ({ execute: wrong, id: id() }),
          () => ({ execute: 'query-status', arguments: wrong, id: id() }),
          () => ({ execute: 'query-status', id: wrong, extra: randomJson(r) }),
          () => ({ 'exec-oob': 'query-status', id: id() }),
          () => ({ execute: 'query-status', 'exec-oob': 'query-status', id: id() }),
          () => ({ execute: 'qmp_capabilities', arguments: { enable: randomJson(r) }, id: id() }),
          () => ({ execute: 'qmp_capabilities', id: id() }),
          () => ({ arguments: {}, id: id() }),
          () => randomJson(r),
          () => [{ execute: 'query-status' }],
        ])(),
      ),
    };
  }
  if (roll < 0.8) {
    // Two commands in one frame.
    const sep = r.pick(['', ' ', '\n', '\r\n', '\t', '\u2028', '}{', ']']);
    return { data: `{"execute":"query-status","id":"one"}${sep}{"execute":"quit","id":"two"}` };
  }
  if (roll < 0.92) {
    // Strings QEMU's parser refuses (it would answer without an id), in names, keys and values.
    const bad = r.pick([
      '\\ud800',
      '\\udc00',
      '\\ufffe',
      '\\uffff',
      '\\ufdd0',
      '\\ud83f\\udffe',
      '\ud800',
      '\ufffe',
    ]);
    return {
      data: r.pick([
        `{"execute":"query-status","arguments":{"x":"${bad}"},"id":7}`,
        `{"execute":"query-status","arguments":{"${bad}":1},"id":7}`,
        `{"execute":"query-${bad}","id":7}`,
      ]),
    };
  }
  // Connection-ending frames: binary (1003), invalid UTF-8 in a text frame (1007), oversize (1009).
  const ending = r.int(0, 2);
  if (ending === 0)
    return { data: Buffer.from(JSON.stringify({ execute: 'query-status' })), binary: true, closes: 1003 };
  if (ending === 1) {
    const bytes = Buffer.from(`{"execute":"query-status","id":"\xff\xfe"}`, 'latin1');
    return { data: bytes, binary: false, closes: 1007 };
  }
  return { data: `{"id":"${'o'.repeat(1024 * 1024 + r.int(0, 1000))}"}`, closes: CloseCode.MESSAGE_TOO_BIG };
}

/** A lean client: counts replies, keeps none (so the heap measures the proxy, not the test). */
class FuzzSocket {
  private ws!: WebSocket;
  private waiters = new Map<string, () => void>();
  closed!: Promise<number>;
  replies = 0;

  constructor(private readonly token: string) {}

  async open(): Promise<void> {
    this.ws = new WebSocket(tc.wsUrl('vm'), { headers: { authorization: `Bearer ${this.token}` } });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
    this.ws.on('message', (data) => {
      const text = data.toString();
      const m = JSON.parse(text) as { id?: Json; return?: Json };
      this.replies++;
      if (m.id === 'SMUGGLED' || (m.id === 'two' && 'return' in m))
        throw new Error(`smuggled command ran: ${text}`);
      if (typeof m.id === 'string') this.waiters.get(m.id)?.();
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  send(frame: Frame): void {
    this.ws.send(frame.data, { binary: frame.binary ?? false });
  }

  /** Resolves when the reply with this id arrives. */
  roundTrip(request: { execute: string; id: string }, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${request.id} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.set(request.id, () => {
        clearTimeout(timer);
        this.waiters.delete(request.id);
        resolve();
      });
      this.ws.send(JSON.stringify(request));
    });
  }

  async negotiate(): Promise<void> {
    // A fuzz frame may already have negotiated: either answer will do.
    await this.roundTrip({ execute: 'qmp_capabilities', id: 'neg' });
  }

  close(): void {
    this.ws.close();
  }
}

describe('fuzzing the console in front of a real QEMU', () => {
  it(`survives ${FRAMES} hostile frames (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const r = rng(SEED);
    const started = Date.now();
    // Warm up the paths once, then measure.
    {
      const warm = new FuzzSocket(TEST_TOKEN);
      await warm.open();
      await warm.negotiate();
      for (let i = 0; i < 200; i++) {
        const frame = generateFrame(rng(i));
        if (frame.closes === undefined) warm.send(frame);
      }
      await warm.roundTrip({ execute: 'query-status', id: 'warm' });
      warm.close();
      await warm.closed;
    }
    const heapBefore = await settledHeap();

    let sent = 0;
    let reconnects = 0;
    let sync = 0;
    const counts = { 1003: 0, 1007: 0, 1009: 0 } as Record<number, number>;
    while (sent < FRAMES) {
      const viewer = r.chance(0.5);
      const s = new FuzzSocket(viewer ? TEST_VIEWER_TOKEN : TEST_TOKEN);
      await s.open();
      // Sometimes talk before negotiating: those frames get CommandNotFound, as from QEMU.
      if (r.chance(0.7)) await s.negotiate();
      for (;;) {
        const frame = generateFrame(r);
        // A viewer's frame over --max-viewer-frame-bytes ends its connection before anything else is read.
        const closes =
          viewer && Buffer.byteLength(frame.data) > DEFAULT_MAX_VIEWER_FRAME_BYTES
            ? CloseCode.MESSAGE_TOO_BIG
            : frame.closes;
        s.send(frame);
        sent++;
        if (closes !== undefined) {
          expect(await s.closed).toBe(closes);
          counts[closes]!++;
          reconnects++;
          break;
        }
        if (sent % SYNC_EVERY === 0) await s.roundTrip({ execute: 'query-status', id: `sync-${sync++}` });
        if (sent >= FRAMES) {
          await s.roundTrip({ execute: 'query-status', id: 'last' });
          s.close();
          await s.closed;
          break;
        }
      }
    }
    const elapsed = Date.now() - started;

    // The proxy let go of everything: clients, commands waiting for QEMU, memory.
    const hub = tc.running.hub;
    const deadline = Date.now() + 5000;
    while (hub.clientCount > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(hub.clientCount).toBe(0);
    expect(hub.get('vm')!.upstream.inFlight).toBe(0);
    const heapAfter = await settledHeap();
    const grewMiB = (heapAfter - heapBefore) / 2 ** 20;
    console.info(
      `fuzz: ${sent} frames, ${reconnects} reconnects (${JSON.stringify(counts)}), ${elapsed} ms, heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(sent).toBeGreaterThanOrEqual(FRAMES);
    expect(counts[1003]! + counts[1007]! + counts[1009]!).toBeGreaterThan(50);
    expect(grewMiB).toBeLessThan(16);

    // It still answers normal commands.
    const after = new FuzzSocket(TEST_TOKEN);
    await after.open();
    await after.negotiate();
    await after.roundTrip({ execute: 'query-status', id: 'still-here' });
    after.close();

    // QEMU: alive, answering, and never told to do anything (no STOP, RESUME, SHUTDOWN, RESET).
    process.kill(qemu().pid, 0);
    expect(await monitor2.call('query-status')).toMatchObject({ status: 'prelaunch', running: false });
    expect(await monitor2.call('human-monitor-command', { 'command-line': 'info status' })).toBe(
      'VM status: paused (prelaunch)\r\n',
    );
    expect(monitor2.events.map((e) => e.event)).toEqual([]);
  });
});
