import { describe, expect, it } from 'vitest';
import { firstWriteInTick } from '../qmp/tick-writes.ts';
import { holdIfSeveralFrames } from './qmp-websocket.ts';

/** A client's (masked) text frame, as it arrives on the console's socket. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const head =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, Buffer.from([1, 2, 3, 4]), payload.map((b, i) => b ^ ((i % 4) + 1))]);
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const command = '{"execute":"query-status","id":1}';

describe('holdIfSeveralFrames', () => {
  it('leaves a chunk of one frame alone: its command goes to QEMU at once', async () => {
    await nextTick();
    holdIfSeveralFrames(clientFrame(command));
    holdIfSeveralFrames(clientFrame('x'.repeat(300)));
    expect(firstWriteInTick({})).toBe(true);
  });

  it('holds the tick for a chunk with more than one frame, short or long', async () => {
    for (const first of [command, 'y'.repeat(300)]) {
      await nextTick();
      holdIfSeveralFrames(Buffer.concat([clientFrame(first), clientFrame(command).subarray(0, 3)]));
      expect(firstWriteInTick({})).toBe(false);
    }
    await nextTick();
    expect(firstWriteInTick({})).toBe(true);
  });
});
