import { describe, expect, it } from 'vitest';
import { SerialLog } from './serial-log.ts';

/** A ringbuf that hands out what was written to it, like QEMU's (reading consumes). */
function fakeRing() {
  let pending = Buffer.alloc(0);
  let reads = 0;
  return {
    write: (s: string) => {
      pending = Buffer.concat([pending, Buffer.from(s)]);
    },
    get reads() {
      return reads;
    },
    execute: async (_vm: string, _command: string, args?: Record<string, unknown>) => {
      reads++;
      const size = args?.size as number;
      const out = pending.subarray(0, size);
      pending = pending.subarray(size);
      return out.toString('base64');
    },
  };
}

const text = (b64: string) => Buffer.from(b64, 'base64').toString();

describe('SerialLog', () => {
  it('keeps what it drained so every reader sees the same bytes by offset', async () => {
    let now = 0;
    const ring = fakeRing();
    const log = new SerialLog(ring.execute, { now: () => now });
    ring.write('hello');
    const a = await log.read('vm', 'ser0', -1);
    expect([text(a.data), a.start, a.end]).toEqual(['hello', 0, 5]);
    ring.write(' world');
    // Within the interval a second tab shares the last read: QEMU is not asked again.
    const b = await log.read('vm', 'ser0', -1);
    expect([text(b.data), ring.reads]).toEqual(['hello', 1]);
    now = 1000;
    const c = await log.read('vm', 'ser0', 5);
    expect([text(c.data), c.start, c.end]).toEqual([' world', 5, 11]);
  });

  it('keeps only the newest bytes and says how many a late reader missed', async () => {
    let now = 0;
    const ring = fakeRing();
    const log = new SerialLog(ring.execute, { keepBytes: 4, now: () => now++ * 1000 });
    ring.write('abcdef');
    const r = await log.read('vm', 'ser0', 0);
    expect([text(r.data), r.start, r.end, r.dropped]).toEqual(['cdef', 2, 6, 2]);
  });

  it('reads on while QEMU returns full reads', async () => {
    const ring = fakeRing();
    const log = new SerialLog(ring.execute, { keepBytes: 200_000 });
    ring.write('x'.repeat(70_000));
    const r = await log.read('vm', 'ser0', -1);
    expect(r.end).toBe(70_000);
    expect(ring.reads).toBe(2);
  });
});
