import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrame } from './qmp-websocket.ts';

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
