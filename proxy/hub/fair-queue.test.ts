import { describe, expect, it } from 'vitest';
import type { ReplyHandler, UpstreamReply } from '../qmp/upstream-session.ts';
import { FairQueue } from './fair-queue.ts';

/** QEMU as the queue sees it: what was written, answered when the test says. */
function fakeQemu() {
  const written: { line: string; handler: ReplyHandler }[] = [];
  let answered = 0;
  return {
    written,
    connected: true,
    sendPrepared(prepared: string, handler: ReplyHandler) {
      if (!this.connected) return false;
      written.push({ line: prepared, handler });
      return true;
    },
    /** Answers the oldest unanswered command, as QEMU does (in order). */
    answerNext() {
      const w = written[answered++]!;
      w.handler({ message: { return: {} }, raw: '{"return": {}}', upstreamId: answered } as UpstreamReply);
    },
    get unanswered() {
      return written.length - answered;
    },
  };
}

const commandOf = (line: string) => JSON.parse(`${line}}`).execute as string;

describe('FairQueue', () => {
  it('writes a window of commands at a time and takes the next from the clients in turn', () => {
    const qemu = fakeQemu();
    const queue = new FairQueue(qemu, (deliver) => deliver(), { commands: 4, bytes: 1 << 20 });
    const flooder = queue.lane();
    const other = queue.lane();
    for (let i = 0; i < 20; i++) flooder.send('execute', `flood-${i}`, undefined, () => {});
    other.send('execute', 'other', undefined, () => {});
    // Four at QEMU; the rest wait in their lanes.
    expect(qemu.written.map((w) => commandOf(w.line))).toEqual(['flood-0', 'flood-1', 'flood-2', 'flood-3']);
    expect(queue.queued).toBe(17);
    qemu.answerNext();
    expect(commandOf(qemu.written[4]!.line)).toBe('flood-4');
    // The burst's lane goes to the back once served: the next place is the other client's.
    qemu.answerNext();
    expect(commandOf(qemu.written[5]!.line)).toBe('other');
    qemu.answerNext();
    expect(commandOf(qemu.written[6]!.line)).toBe('flood-5');
  });

  it('bounds the bytes at QEMU, but always lets one command go, whatever its size', () => {
    const qemu = fakeQemu();
    const queue = new FairQueue(qemu, (deliver) => deliver(), { commands: 8, bytes: 100 });
    const big = queue.lane();
    const small = queue.lane();
    big.send('execute', 'query-status', { pad: 'x'.repeat(500) }, () => {});
    small.send('execute', 'query-status', undefined, () => {});
    big.send('execute', 'query-status', { pad: 'x'.repeat(500) }, () => {});
    // 500 bytes at QEMU: nothing joins them.
    expect(qemu.unanswered).toBe(1);
    qemu.answerNext();
    // The small one goes alone (the second big one would not fit beside it).
    expect(qemu.written[1]!.line).toBe('{"execute":"query-status"');
    expect(qemu.unanswered).toBe(1);
    qemu.answerNext();
    expect(qemu.written[2]!.line.length).toBeGreaterThan(500);
  });

  it('gives each lane its replies in its order, and sends exec-oob at once', () => {
    const qemu = fakeQemu();
    const queue = new FairQueue(qemu, (deliver) => deliver(), { commands: 2, bytes: 1 << 20 });
    const lane = queue.lane();
    const got: string[] = [];
    for (let i = 0; i < 5; i++) lane.send('execute', `c${i}`, undefined, () => got.push(`c${i}`));
    lane.send('exec-oob', 'migrate-pause', undefined, () => {});
    expect(qemu.written.map((w) => w.line)).toContain('{"exec-oob":"migrate-pause"');
    while (got.length < 5) {
      const next = qemu.written.findIndex((w, i) => i >= got.length && !w.line.includes('exec-oob'));
      expect(next).toBeGreaterThanOrEqual(0);
      // Answer the in-band commands in QEMU's order.
      qemu.answerNext();
      if (qemu.written[got.length]?.line.includes('exec-oob')) qemu.answerNext();
    }
    expect(got).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('refuses when QEMU is not connected and forgets what waits when the session is lost', () => {
    const qemu = fakeQemu();
    const queue = new FairQueue(qemu, (deliver) => deliver(), { commands: 1, bytes: 1 << 20 });
    const lane = queue.lane();
    const got: string[] = [];
    lane.send('execute', 'a', undefined, () => got.push('a'));
    lane.send('execute', 'b', undefined, () => got.push('b'));
    queue.reset();
    expect(queue.queued).toBe(0);
    qemu.connected = false;
    expect(lane.send('execute', 'c', undefined, () => {})).toBe(false);
    qemu.connected = true;
    // A new session: the window is empty again, so the next command goes at once.
    lane.send('execute', 'd', undefined, () => got.push('d'));
    expect(commandOf(qemu.written.at(-1)!.line)).toBe('d');
    expect(got).toEqual([]);
  });
});
