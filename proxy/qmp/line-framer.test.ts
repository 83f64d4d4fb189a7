import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FramerIssue, LineFramer } from './line-framer.ts';

function collect(max?: number) {
  const lines: string[] = [];
  const issues: FramerIssue[] = [];
  const framer = new LineFramer(
    (l) => lines.push(l),
    (i) => issues.push(i),
    max,
  );
  return { framer, lines, issues };
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('LineFramer', () => {
  it('yields every CRLF-terminated message whatever the chunk boundaries', () => {
    const message = fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(fc.string(), fc.integer(), fc.boolean()),
    );
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (msgs, cuts) => {
          const wire = Buffer.from(msgs.map((m) => `${JSON.stringify(m)}\r\n`).join(''));
          const { framer, lines } = collect();
          for (const part of splitAt(wire, cuts)) framer.push(part);
          expect(lines.map((l) => JSON.parse(l))).toEqual(msgs);
          expect(framer.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps multi-byte UTF-8 characters intact when a chunk splits them', () => {
    const wire = Buffer.from('{"reason":"Ünïcødé ✓ 磁盘"}\r\n');
    const { framer, lines } = collect();
    for (let i = 0; i < wire.length; i++) framer.push(wire.subarray(i, i + 1));
    expect(JSON.parse(lines[0]!)).toEqual({ reason: 'Ünïcødé ✓ 磁盘' });
  });

  it('accepts bare LF and skips blank lines', () => {
    const { framer, lines } = collect();
    framer.push(Buffer.from('{"a":1}\n\r\n\n{"b":2}\r\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('drops a line over the limit, reports it with its tail, and goes on with the next', () => {
    const { framer, lines, issues } = collect(64);
    const big = `{"return": "${'x'.repeat(200)}", "id": 42}`;
    framer.push(Buffer.from(`{"a":1}\r\n${big.slice(0, 50)}`));
    framer.push(Buffer.from(big.slice(50, 150)));
    framer.push(Buffer.from(`${big.slice(150)}\r\n{"b":2}\r\n`));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.bytes).toBe(big.length);
    expect(issues[0]!.tail.endsWith('"id": 42}')).toBe(true);
  });

  it('does not buffer a partial line past the limit', () => {
    const { framer } = collect(1024);
    for (let i = 0; i < 100; i++) framer.push(Buffer.alloc(1000, 0x61));
    expect(framer.pendingBytes).toBeLessThanOrEqual(1024);
  });
});
