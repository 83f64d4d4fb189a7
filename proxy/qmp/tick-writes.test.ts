import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { firstWriteInTick, holdForTick, holdTick, writeInTick } from './tick-writes.ts';

/** A socket as the kernel sees it: each entry is one write(2) or writev(2), with what it carried. */
function recordingSocket() {
  const syscalls: string[][] = [];
  const socket = new Writable({
    decodeStrings: false,
    write(chunk, _enc, done) {
      syscalls.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      syscalls.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  return { socket, syscalls };
}

const endOfTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('writeInTick', () => {
  it('writes a lone message at once, before the code that sent it goes on', async () => {
    const { socket, syscalls } = recordingSocket();
    writeInTick(socket, 'a');
    expect(syscalls).toEqual([['a']]);
    await endOfTick();
    expect(syscalls).toEqual([['a']]);
    // The next tick's lone message goes at once too.
    writeInTick(socket, 'b');
    expect(syscalls).toEqual([['a'], ['b']]);
  });

  it('sends the rest of a burst in one writev when the tick ends, in order', async () => {
    const { socket, syscalls } = recordingSocket();
    const other = recordingSocket();
    for (const m of ['1', '2', '3', '4']) writeInTick(socket, m);
    writeInTick(other.socket, 'x');
    expect(syscalls).toEqual([['1']]);
    expect(other.syscalls).toEqual([['x']]);
    await endOfTick();
    expect(syscalls).toEqual([['1'], ['2', '3', '4']]);
    expect(socket.writableCorked).toBe(0);
  });

  it('holds even the first write of a tick when asked, so it leaves with what follows it', async () => {
    const { socket, syscalls } = recordingSocket();
    holdForTick(socket);
    socket.write('events');
    writeInTick(socket, 'reply');
    expect(syscalls).toEqual([]);
    await endOfTick();
    expect(syscalls).toEqual([['events', 'reply']]);
    expect(socket.writableCorked).toBe(0);
    writeInTick(socket, 'next');
    expect(syscalls).toEqual([['events', 'reply'], ['next']]);
  });

  it('holds a known burst from its first write: one writev per socket when the tick ends', async () => {
    const { socket, syscalls } = recordingSocket();
    const other = recordingSocket();
    holdTick();
    for (const m of ['1', '2', '3']) writeInTick(socket, m);
    writeInTick(other.socket, 'x');
    // A writer of its own (the WebSocket's frames) is told to cork as well.
    expect(firstWriteInTick({})).toBe(false);
    expect(syscalls).toEqual([]);
    expect(other.syscalls).toEqual([]);
    await endOfTick();
    expect(syscalls).toEqual([['1', '2', '3']]);
    expect(other.syscalls).toEqual([['x']]);
    // The hold ends with its tick: the next lone message goes at once.
    writeInTick(socket, '4');
    expect(syscalls).toEqual([['1', '2', '3'], ['4']]);
  });
});
