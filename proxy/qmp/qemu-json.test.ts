import { describe, expect, it } from 'vitest';
import { toQemuJson } from './qemu-json.ts';

describe('toQemuJson', () => {
  it('writes members and escapes as QEMU 7.2 does', () => {
    expect(toQemuJson({ a: ['é"\\\n😀\u007f', 1, null, {}, true], b: {}, c: [] })).toBe(
      '{"a": ["\\u00E9\\"\\\\\\n\\uD83D\\uDE00\\u007F", 1, null, {}, true], "b": {}, "c": []}',
    );
  });
});
