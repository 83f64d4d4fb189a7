import { describe, expect, it } from 'vitest';
import { stormTimestampAt, timestampMs } from './watchers.ts';

/** `text` inside a larger buffer, as a frame's payload is: the bytes around it must not be read. */
const at = (text: string): [Buffer, number, number] => [
  Buffer.from(`xx${text}{"timestamp"`),
  2,
  2 + Buffer.byteLength(text),
];

describe('stormTimestampAt', () => {
  it("reads a storm event's timestamp from QEMU's layout as timestampMs reads the text", () => {
    for (const text of [
      '{"timestamp": {"seconds": 1764563000, "microseconds": 123456}, "event": "BLOCK_IO_ERROR", "data": {"device": "ide0-hd0"}}',
      '{"timestamp": {"seconds": 1764563001, "microseconds": 7}, "event": "STOP"}',
      '{"timestamp": {"seconds": 1764563002, "microseconds": 999999}, "event": "RESUME"}',
    ])
      expect(stormTimestampAt(...at(text))).toBe(timestampMs(text));
    expect(
      stormTimestampAt(...at('{"timestamp": {"seconds": 1000000002, "microseconds": 500}, "event": "STOP"}')),
    ).toBe(1000000002000.5);
  });

  it('is NaN for another event in that layout', () => {
    for (const name of ['SHUTDOWN', 'RESET', 'STOPPED', 'BLOCK_JOB_READY'])
      expect(
        stormTimestampAt(
          ...at(`{"timestamp": {"seconds": 1764563000, "microseconds": 1}, "event": "${name}"}`),
        ),
      ).toBeNaN();
  });

  it('leaves anything in another layout to be read as text', () => {
    for (const text of [
      '{"timestamp":{"seconds":1764563001,"microseconds":7},"event":"STOP"}',
      '{"return": {"status": "running", "running": true, "singlestep": false}, "id": 1}',
      '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}',
    ])
      expect(stormTimestampAt(...at(text))).toBeUndefined();
  });
});
