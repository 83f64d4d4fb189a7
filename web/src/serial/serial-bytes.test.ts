import { describe, expect, it } from 'vitest';
import { base64ToBytes, textToBase64 } from './serial-bytes.ts';

describe('serial bytes', () => {
  it('round-trips UTF-8 text and keeps binary bytes', () => {
    expect(new TextDecoder().decode(base64ToBytes(textToBase64('héllo\r')))).toBe('héllo\r');
    expect([...base64ToBytes('AP8K')]).toEqual([0, 255, 10]);
  });
});
