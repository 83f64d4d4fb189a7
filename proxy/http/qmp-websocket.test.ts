import type { Duplex } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import * as ws from 'ws';
import { textFrame, webSocketTransport } from './qmp-websocket.ts';

// ws's own frame parser (not in its type declarations).
type ReceiverLike = {
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
};
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => ReceiverLike;
};

/** Parses frames as a ws client would. */
function receive(frame: Buffer): string[] {
  const got: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    got.push(data.toString());
  });
  receiver.write(frame);
  return got;
}

describe('textFrame', () => {
  it.each([0, 5, 125, 126, 65535, 65536, 200_000])('frames %i bytes as one unmasked text frame', (n) => {
    const text = 'x'.repeat(n);
    expect(receive(textFrame(text))).toEqual([text]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = `{"desc": "${'é'.repeat(70)}"}`;
    expect(receive(textFrame(text))).toEqual([text]);
  });

  it('builds the frame once for the same text sent to many clients', () => {
    const event = '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}';
    const a = textFrame(event);
    expect(textFrame(event)).toBe(a);
    expect(receive(textFrame('{"return": {}}'))).toEqual(['{"return": {}}']);
  });
});

/** The texts of the unmasked frames in one write (a write may carry several). */
function texts(b: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < b.length; ) {
    const short = b[at + 1]! & 0x7f;
    const head = short < 126 ? 2 : 4;
    const length = short < 126 ? short : b.readUInt16BE(at + 2);
    out.push(b.toString('utf8', at + head, at + head + length));
    at += head + length;
  }
  return out;
}

/** A socket that records what reaches the wire: writes while corked wait for the last uncork. */
function fakeSocket() {
  let corks = 0;
  let held: Buffer[] = [];
  const wire: string[] = [];
  /** Every Buffer written, as written. */
  const writes: Buffer[] = [];
  const socket = {
    cork: () => {
      corks++;
    },
    uncork: () => {
      if (corks === 0) return;
      corks--;
      if (corks === 0) {
        wire.push(...held.flatMap(texts));
        held = [];
      }
    },
    write: (b: Buffer) => {
      writes.push(b);
      if (corks > 0) held.push(b);
      else wire.push(...texts(b));
      return true;
    },
  };
  return { socket: socket as unknown as Duplex, wire, writes };
}

const openWs = { readyState: 1, bufferedAmount: 0 } as unknown as WebSocket;
const tick = () => new Promise<void>((r) => process.nextTick(r));
const event = (n: number) => `{"timestamp": {"seconds": 1, "microseconds": ${n}}, "event": "STOP"}`;

describe('webSocketTransport writes', () => {
  it('sends a reply within the tick, in one write with what came before it', async () => {
    const { socket, wire } = fakeSocket();
    const t = webSocketTransport(openWs, socket, 'test');
    t.send(event(1));
    t.send('{"return": {}, "id": 1}');
    expect(wire).toEqual([]);
    await tick();
    expect(wire).toEqual([event(1), '{"return": {}, "id": 1}']);
  });

  it('lets an event burst to many clients share writes, at most one per interval, in order', async () => {
    // Fake clocks: the interval is a matter of time, and a loaded machine must not decide the outcome.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      vi.advanceTimersByTime(60_000);
      const clients = Array.from({ length: 10 }, () => fakeSocket());
      const transports = clients.map((c) => webSocketTransport(openWs, c.socket, 'test'));
      const fanOut = (text: string) => {
        for (const t of transports) t.send(text);
      };
      fanOut(event(1));
      await tick();
      expect(clients[0]!.wire).toEqual([event(1)]);
      vi.advanceTimersByTime(1);
      fanOut(event(2));
      fanOut(event(3));
      await tick();
      expect(clients[0]!.wire).toEqual([event(1)]);
      // A reply does not wait: it takes the events queued before it along.
      transports[3]!.send('{"return": {}, "id": 7}');
      await tick();
      expect(clients[3]!.wire).toEqual([event(1), event(2), event(3), '{"return": {}, "id": 7}']);
      vi.advanceTimersByTime(20);
      for (const c of clients.filter((_, i) => i !== 3))
        expect(c.wire).toEqual([event(1), event(2), event(3)]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes the same Buffer, joined once, to every client waiting for the same events', async () => {
    const clients = Array.from({ length: 20 }, () => fakeSocket());
    const transports = clients.map((c) => webSocketTransport(openWs, c.socket, 'test'));
    for (let n = 1; n <= 3; n++) for (const t of transports) t.send(event(n));
    expect(transports[0]!.bufferedBytes()).toBe(3 * textFrame(event(1)).length);
    await new Promise((r) => setTimeout(r, 50));
    for (const c of clients) {
      expect(c.wire).toEqual([event(1), event(2), event(3)]);
      expect(c.writes).toHaveLength(1);
      expect(c.writes[0]).toBe(clients[0]!.writes[0]);
    }
    expect(transports[0]!.bufferedBytes()).toBe(0);
  });

  it("gives each VM's clients their own events in order when two VMs' events interleave", async () => {
    const a = Array.from({ length: 5 }, () => fakeSocket());
    const b = Array.from({ length: 5 }, () => fakeSocket());
    const ta = a.map((c) => webSocketTransport(openWs, c.socket, 'test'));
    const tb = b.map((c) => webSocketTransport(openWs, c.socket, 'test'));
    const other = (n: number) => `{"timestamp": {"seconds": 2, "microseconds": ${n}}, "event": "RESUME"}`;
    for (let n = 1; n <= 3; n++) {
      for (const t of ta) t.send(event(n));
      for (const t of tb) t.send(other(n));
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const c of a) expect(c.wire).toEqual([event(1), event(2), event(3)]);
    for (const c of b) expect(c.wire).toEqual([other(1), other(2), other(3)]);
    for (const c of [...a, ...b]) expect(c.writes).toHaveLength(1);
  });

  it('writes nothing after the WebSocket stopped being open (a close frame went first)', async () => {
    const { socket, writes } = fakeSocket();
    const ws = { readyState: 1, bufferedAmount: 0 } as { readyState: number; bufferedAmount: number };
    const t = webSocketTransport(ws as unknown as WebSocket, socket, 'test');
    t.send(event(1));
    ws.readyState = 2;
    await tick();
    expect(writes).toEqual([]);
  });
});
