import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../protocol/qmp.ts';
import { type JsonInput, JsonStreamer, parseJsonMessage } from './json-streamer.ts';

/** Everything the streamer emits for `chunks`, fed one after another. */
function stream(chunks: (string | Buffer)[], maxMessageBytes?: number): JsonInput[] {
  const out: JsonInput[] = [];
  const streamer = new JsonStreamer((input) => out.push(input), { maxMessageBytes });
  for (const c of chunks) streamer.push(typeof c === 'string' ? Buffer.from(c) : c);
  return out;
}

const values = (inputs: JsonInput[]): (Json | string)[] =>
  inputs.map((i) => (i.ok ? i.value : `error: ${i.desc}`));

describe('JsonStreamer frames messages as QEMU does', () => {
  it('ends a message at its closing brace: no newline needed, several per line, any split', () => {
    expect(values(stream(['{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}']))).toEqual([
      { execute: 'qmp_capabilities', arguments: { enable: ['oob'] } },
    ]);
    expect(values(stream(['{"a":1} {"b":2}{"c":[3]}\n']))).toEqual([{ a: 1 }, { b: 2 }, { c: [3] }]);
    expect(values(stream(['{"execute":"query-status",', '\n', '"id":"m1"}']))).toEqual([
      { execute: 'query-status', id: 'm1' },
    ]);
  });

  it('answers malformed input with QEMU 7.2 texts, then reads on', () => {
    expect(
      values(
        stream([
          '{"execute":"query-status", bad json}\n',
          '{"a" 1}{"a":1 2}[1 2]{1:2}{"a":}]',
          '{"a":"x","a":"y"}',
          '@ {"ok":true}',
          '{"a":01}',
          '{"a":"b\\x"}',
          '{"id":"\\ud800"}',
          "{'single':'quo\\'ted'}",
        ]),
      ),
    ).toEqual([
      "error: JSON parse error, invalid keyword 'bad'",
      'error: JSON parse error, missing : in object pair',
      'error: JSON parse error, expected separator in dict',
      'error: JSON parse error, expected separator in list',
      'error: JSON parse error, key is not a string in object',
      'error: JSON parse error, expecting value',
      'error: JSON parse error, expecting value',
      'error: JSON parse error, duplicate key',
      "error: JSON parse error, stray '@'",
      { ok: true },
      "error: JSON parse error, stray '01'",
      'error: JSON parse error, expecting value',
      'error: JSON parse error, invalid escape sequence in string',
      'error: JSON parse error, \\ud800 is not a valid Unicode character',
      { single: "quo'ted" },
    ]);
  });

  it('checks UTF-8 inside strings as QEMU does', () => {
    expect(values(stream([Buffer.from([0x22, 0xc3, 0xa9, 0x22])]))).toEqual(['é']);
    expect(values(stream([Buffer.from([0x22, 0xc3, 0x22])]))).toEqual([
      'error: JSON parse error, invalid UTF-8 sequence in string',
    ]);
    // Split inside the two bytes of one character.
    expect(values(stream([Buffer.from([0x22, 0xc3]), Buffer.from([0xa9, 0x22])]))).toEqual(['é']);
  });

  it("resets past QEMU's nesting limit of 1024 and reads what follows as new input", () => {
    const out = values(stream([`${'['.repeat(1025)}{"execute":"cont"}`]));
    expect(out).toEqual(['error: JSON nesting depth limit exceeded', { execute: 'cont' }]);
    expect(values(stream([`${'['.repeat(1024)}${']'.repeat(1024)}`]))).toHaveLength(1);
  });

  it('answers a message over the size limit once, holding none of it, and reads on', () => {
    const out = values(stream([`{"a":"${'x'.repeat(300)}",`, '"b":[1,2]}{"ok":1}'], 100));
    expect(out).toEqual([
      expect.stringMatching(/^error: JSON parse error, input of \d+ bytes is too large$/),
      { ok: 1 },
    ]);
  });

  it('emits one message only when the WebSocket frame holds exactly one', () => {
    expect(parseJsonMessage(' {"a":1}\n')).toMatchObject({ ok: true, value: { a: 1 } });
    expect(parseJsonMessage("{'a':'\\''}")).toMatchObject({ ok: true, value: { a: "'" } });
    expect(parseJsonMessage('{"a":1}{"b":2}')).toMatchObject({ ok: false });
    expect(parseJsonMessage('   ')).toMatchObject({ ok: false, desc: 'JSON parse error, expecting value' });
    expect(parseJsonMessage('{"a":1')).toMatchObject({ ok: false, desc: 'JSON parse error, premature EOI' });
    expect(parseJsonMessage('{"a":tru')).toMatchObject({
      ok: false,
      desc: "JSON parse error, invalid keyword 'tru'",
    });
  });
});

// Objects as QMP clients send them: strings with escapes and non-ASCII, numbers, nesting.
const jsonObject = fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ maxDepth: 4 }), {
  maxKeys: 5,
}) as fc.Arbitrary<{ [key: string]: Json }>;
const whitespace = fc.stringMatching(/^[ \t\r\n]{0,3}$/);

describe('JsonStreamer under arbitrary splits (property)', () => {
  it('reads the same objects however the stream is cut, with or without whitespace between them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(jsonObject, whitespace, fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (items, cuts) => {
          const text = items
            .map(([obj, ws, pretty]) => JSON.stringify(obj, null, pretty ? 1 : undefined) + ws)
            .join('');
          const bytes = Buffer.from(text);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(from, p));
            from = p;
          }
          const whole = stream([bytes]);
          const split = stream(chunks);
          const byteByByte = stream([...bytes].map((b) => Buffer.from([b])));
          // JSON.parse keeps the last of duplicate keys; fc.dictionary makes none.
          expect(values(whole)).toEqual(items.map(([obj]) => JSON.parse(JSON.stringify(obj))));
          expect(split).toEqual(whole);
          expect(byteByByte).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('numbers a JS number would round or retype keep their text', () => {
  const exactOf = (input: JsonInput) => (input.ok ? input.exact : undefined);

  it('gives the id and the arguments as written when a number in them is not its own JS text', () => {
    const text =
      '{"execute":"qom-set","arguments":{"path":"/m","value":18446744073709551615,"f":1.0},"id":{"n":-0,"s":"é"}}';
    for (const input of [parseJsonMessage(text), stream([text])[0]!])
      expect(exactOf(input)).toEqual({
        id: '{"n": -0, "s": "\\u00E9"}',
        arguments: '{"path":"/m","value":18446744073709551615,"f":1.0}',
      });
    expect(exactOf(parseJsonMessage('{"execute":"x","id":1e3}'))).toEqual({ id: '1e3' });
    expect(exactOf(stream(["{'execute':'x','id':9007199254740993}"])[0]!)).toEqual({
      id: '9007199254740993',
    });
  });

  it('adds nothing when every number survives (the usual case)', () => {
    for (const text of [
      '{"execute":"x","arguments":{"a":1.5,"b":-3,"c":9007199254740991},"id":0.25}',
      '{"execute":"x","arguments":{"note":"1.0 and 18446744073709551615 in a string"},"id":"-0"}',
    ]) {
      expect(exactOf(parseJsonMessage(text))).toBeUndefined();
      expect(exactOf(stream([text])[0]!)).toBeUndefined();
    }
  });

  it('leaves numbers below the top-level id and arguments alone', () => {
    expect(exactOf(parseJsonMessage('{"execute":"x","other":1.0}'))).toBeUndefined();
  });
});
