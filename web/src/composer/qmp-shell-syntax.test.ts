import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import {
  formatJson,
  formatQmpShell,
  formatVirsh,
  type ParseResult,
  parseInput,
  type QmpRequest,
  shellQuote,
  tokenize,
} from './qmp-shell-syntax.ts';

const shell = (text: string) => parseInput(text, { mode: 'qmp-shell' });
function ok(result: ParseResult) {
  if (!result.ok) throw new Error(`expected success, got: ${result.error.message}`);
  return result;
}
function err(result: ParseResult) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.request)}`);
  return result.error;
}
const req = (text: string) => ok(shell(text)).request;

describe('qmp-shell syntax', () => {
  it('reads a bare command', () => {
    expect(req('query-status')).toEqual({ execute: 'query-status' });
    expect(req('  query-status  ')).toEqual({ execute: 'query-status' });
  });

  it('reads key=value pairs, JSON values as JSON and the rest as strings', () => {
    expect(req('device_add driver=e1000 id=net1')).toEqual({
      execute: 'device_add',
      arguments: { driver: 'e1000', id: 'net1' },
    });
    expect(
      req('x i=42 n=-1.5e3 t=true f=false z=null s=hello a=[1,"b"] o={"k":{"l":[]}} e= path=/tmp/a=b'),
    ).toEqual({
      execute: 'x',
      arguments: {
        i: 42,
        n: -1500,
        t: true,
        f: false,
        z: null,
        s: 'hello',
        a: [1, 'b'],
        o: { k: { l: [] } },
        e: '',
        path: '/tmp/a=b',
      },
    });
  });

  it('keeps strings that only look a bit like JSON as strings', () => {
    expect(req('x a=True b=01 c=0x10 d=1.2.3 e=-')).toEqual({
      execute: 'x',
      arguments: { a: 'True', b: '01', c: '0x10', d: '1.2.3', e: '-' },
    });
  });

  it('builds nested objects from dotted keys', () => {
    expect(
      req('blockdev-add driver=qcow2 node-name=n file.driver=file file.filename=/d.img cache.direct=true'),
    ).toEqual({
      execute: 'blockdev-add',
      arguments: {
        driver: 'qcow2',
        'node-name': 'n',
        file: { driver: 'file', filename: '/d.img' },
        cache: { direct: true },
      },
    });
    expect(req('x a.b.c=1 a.b.d=2 a.e=3')).toEqual({
      execute: 'x',
      arguments: { a: { b: { c: 1, d: 2 }, e: 3 } },
    });
  });

  it('takes quoted strings without their quotes, and quoting forces a string', () => {
    expect(
      req(`human-monitor-command command-line="info status" x='it''s' y="1" z='true' w="a\\"b\\\\c\\n"`),
    ).toEqual({
      execute: 'human-monitor-command',
      arguments: { 'command-line': 'info status', x: 'its', y: '1', z: 'true', w: 'a"b\\c\n' },
    });
    expect(req(`x a='don\\'t' b=pre"mid dle"post c=\\"q d=a\\ b u="\\u00e9"`)).toEqual({
      execute: 'x',
      arguments: { a: "don't", b: 'premid dlepost', c: '"q', d: 'a b', u: 'é' },
    });
  });

  it('lets JSON values contain spaces', () => {
    expect(
      req('send-key keys=[{"type": "qcode", "data": "ctrl"}, {"type": "qcode", "data": "a b]"}]'),
    ).toEqual({
      execute: 'send-key',
      arguments: {
        keys: [
          { type: 'qcode', data: 'ctrl' },
          { type: 'qcode', data: 'a b]' },
        ],
      },
    });
  });

  it('keeps dots and equals signs in quoted key parts', () => {
    expect(req('x "a.b"=1 c."d=e"=2')).toEqual({ execute: 'x', arguments: { 'a.b': 1, c: { 'd=e': 2 } } });
  });

  it('warns when an integer cannot be sent exactly', () => {
    const r = ok(shell('x size=18446744073709551615 j=[9007199254740993]'));
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatchObject({ start: 7, end: 27 });
    expect(r.warnings[0]!.message).toContain('18446744073709551615');
  });

  it('records where each argument was written', () => {
    const r = ok(shell('x a.b=1 c="d e"'));
    expect(r.locations).toEqual([
      { path: ['a', 'b'], keyStart: 2, keyEnd: 5, valueStart: 6, valueEnd: 7 },
      { path: ['c'], keyStart: 8, keyEnd: 9, valueStart: 10, valueEnd: 15 },
    ]);
  });

  describe('errors, each with its position', () => {
    it.each([
      ['', 'Type a command', 0, 0],
      ['   ', 'Type a command', 0, 3],
      ['a=1 query-status', 'Start with a command name', 0, 3],
      ['x foo', 'Expected key=value, got "foo"', 2, 5],
      ['x a=1 foo b=2', 'Expected key=value, got "foo"', 6, 9],
      ['x =1', 'Missing key before "="', 2, 3],
      ['x a..b=1', 'Empty part in the key "a..b"', 2, 6],
      ['x .a=1', 'Empty part in the key ".a"', 2, 4],
      ['x a.=1', 'Empty part in the key "a."', 2, 4],
      ['x a=1 a=2', '"a" is set twice (first as a=1)', 6, 7],
      ['x a.b=1 a.b=2', '"a.b" is set twice', 8, 11],
      ['x a=1 a.b=2', '"a" is given a value (a=1) and also used as an object by a.b', 6, 9],
      ['x a.b.c=1 a.b=2', '"a.b" is given a value and also used as an object by a.b.c', 10, 13],
      ['x a={"b":1} a.c=2', '"a" is given a value', 12, 15],
      ['x a="unterminated', 'Unterminated " quote', 4, 17],
      ["x a='open", "Unterminated ' quote", 4, 9],
      ['x a="bad \\q"', 'Unknown escape "\\q"', 9, 11],
      ['x a=[1, 2', 'Unclosed [ in the value', 4, 9],
      ['x a={"b" 1}', 'The value of a starts like JSON but is not: expected ":"', 9, 10],
      ['x a=[1]x', 'starts like JSON but is not', 7, 8],
    ])('%j → %s', (text, message, start, end) => {
      const e = err(shell(text));
      expect(e.message).toContain(message);
      expect([e.start, e.end]).toEqual([start, end]);
    });
  });

  describe('transactions', () => {
    it('builds one transaction from several actions', () => {
      expect(
        req(
          'transaction( blockdev-snapshot-sync device=ide0-hd0 snapshot-file=/s.qcow2 format=qcow2, abort )',
        ),
      ).toEqual({
        execute: 'transaction',
        arguments: {
          actions: [
            {
              type: 'blockdev-snapshot-sync',
              data: { device: 'ide0-hd0', 'snapshot-file': '/s.qcow2', format: 'qcow2' },
            },
            { type: 'abort', data: {} },
          ],
        },
      });
    });

    it('accepts glued punctuation, newlines and a trailing comma', () => {
      expect(req('transaction(abort,\n  block-dirty-bitmap-add node=n name="b,1",)')).toEqual({
        execute: 'transaction',
        arguments: {
          actions: [
            { type: 'abort', data: {} },
            { type: 'block-dirty-bitmap-add', data: { node: 'n', name: 'b,1' } },
          ],
        },
      });
    });

    it('locates arguments under actions[i].data', () => {
      const r = ok(shell('transaction( abort, x a=1 )'));
      expect(r.locations.map((l) => l.path)).toEqual([
        ['actions', 0, 'type'],
        ['actions', 1, 'type'],
        ['actions', 1, 'data', 'a'],
      ]);
    });

    it.each([
      ['transaction( abort', 'Close the transaction with ")"'],
      ['transaction( abort ) x', 'Nothing may follow the )'],
      ['transaction( , abort )', 'Empty action'],
      ['transaction( a=1 )', 'Start each action with its type'],
      ['transaction( abort ( )', 'Unexpected "("'],
      ['transaction( x a )', 'Expected key=value, got "a"'],
    ])('%j → %s', (text, message) => {
      expect(err(shell(text)).message).toContain(message);
    });

    it('leaves an ordinary transaction command alone', () => {
      expect(req('transaction actions=[]')).toEqual({ execute: 'transaction', arguments: { actions: [] } });
    });
  });
});

describe('JSON mode', () => {
  const json = (text: string) => parseInput(text, { mode: 'json' });

  it('takes a whole command object', () => {
    expect(ok(json('{"execute": "query-block", "arguments": {"flat": true}}')).request).toEqual({
      execute: 'query-block',
      arguments: { flat: true },
    });
    expect(ok(json(' {"execute":"stop"} ')).request).toEqual({ execute: 'stop' });
  });

  it('is chosen in qmp-shell mode when the line starts with {', () => {
    expect(ok(shell('{"execute":"cont"}')).request).toEqual({ execute: 'cont' });
  });

  it('drops the id and reads exec-oob as execute, with warnings', () => {
    const a = ok(json('{"execute":"stop","id":7}'));
    expect(a.request).toEqual({ execute: 'stop' });
    expect(a.warnings[0]!.message).toContain('id');
    const b = ok(json('{"exec-oob":"migrate-pause"}'));
    expect(b.request).toEqual({ execute: 'migrate-pause' });
    expect(b.warnings[0]!.message).toContain('exec-oob');
  });

  it.each([
    ['', 'Type a JSON command', 0],
    ['{"execute": "x",}', 'Not valid JSON: expected a member name', 16],
    ['{"execute": "x"', 'Not valid JSON: expected "," or "}" but found end of input', 15],
    ['{"execute": "x"} x', 'after the JSON value', 17],
    ['[1]', 'A QMP command is a JSON object', 0],
    ['{"arguments": {}}', '"execute" must be the command name', 0],
    ['{"execute": 1}', '"execute" must be the command name', 0],
    ['{"execute": "x", "arguments": [1]}', '"arguments" must be an object', 0],
    ['{"execute": "x", "argument": {}}', 'Unknown member "argument"', 0],
    ['{"execute": "x", "execute": "y"}', 'duplicate member "execute"', 17],
  ])('%j → %s', (text, message, start) => {
    const e = err(json(text));
    expect(e.message).toContain(message);
    expect(e.start).toBe(start);
  });
});

describe('HMP mode', () => {
  it('wraps the line in human-monitor-command', () => {
    expect(ok(parseInput('  info status ', { mode: 'hmp' })).request).toEqual({
      execute: 'human-monitor-command',
      arguments: { 'command-line': 'info status' },
    });
  });

  it('adds the CPU index when given', () => {
    expect(ok(parseInput('info registers', { mode: 'hmp', cpuIndex: 1 })).request).toEqual({
      execute: 'human-monitor-command',
      arguments: { 'command-line': 'info registers', 'cpu-index': 1 },
    });
  });

  it('refuses an empty line and a bad CPU index', () => {
    expect(err(parseInput(' ', { mode: 'hmp' })).message).toContain('Type an HMP command');
    expect(err(parseInput('info cpus', { mode: 'hmp', cpuIndex: -1 })).message).toContain('CPU index');
  });
});

describe('tokenize', () => {
  it('gives partial words for completion even when a quote is open', () => {
    const t = tokenize('device_add driver="e10');
    expect(t.error?.message).toContain('Unterminated');
    const last = t.tokens[1];
    expect(last).toMatchObject({ kind: 'word', eq: 17, open: { kind: '"', start: 18 } });
    if (last?.kind === 'word') expect(last.value).toMatchObject({ text: 'e10', start: 18, end: 22 });
  });

  it('splits keys at unquoted dots', () => {
    const [w] = tokenize('file.opt."a.b"=1').tokens;
    if (w?.kind !== 'word') throw new Error('word expected');
    expect(w.keyParts.map((p) => [p.text, p.start, p.end])).toEqual([
      ['file', 0, 4],
      ['opt', 5, 8],
      ['a.b', 9, 14],
    ]);
  });
});

describe('formatters', () => {
  const blockdev: QmpRequest = {
    execute: 'blockdev-add',
    arguments: { driver: 'qcow2', 'node-name': 'disk 1', file: { driver: 'file', filename: '/d.img' } },
  };

  it('writes qmp-shell lines', () => {
    expect(formatQmpShell({ execute: 'query-status' })).toBe('query-status');
    expect(formatQmpShell(blockdev)).toBe(
      'blockdev-add driver=qcow2 node-name="disk 1" file.driver=file file.filename=/d.img',
    );
    expect(
      formatQmpShell({
        execute: 'x',
        arguments: {
          n: 1,
          s: '1',
          t: 'true',
          e: '',
          o: {},
          a: [1, { b: 2 }],
          j: '[x',
          'a.b': 'y',
          q: "it's",
        },
      }),
    ).toBe('x n=1 s="1" t="true" e="" o={} a=[1,{"b":2}] j="[x" "a.b"=y q="it\'s"');
  });

  it('writes transactions in the transaction( ) syntax', () => {
    const tx: QmpRequest = {
      execute: 'transaction',
      arguments: {
        actions: [
          { type: 'abort', data: {} },
          { type: 'block-dirty-bitmap-add', data: { node: 'n', name: 'b,1' } },
        ],
      },
    };
    const line = formatQmpShell(tx);
    expect(line).toBe('transaction( abort, block-dirty-bitmap-add node=n name="b,1" )');
    expect(req(line)).toEqual(tx);
    // Not expressible in the syntax: falls back to plain key=value.
    const withProps: QmpRequest = {
      execute: 'transaction',
      arguments: { actions: [{ type: 'abort' }], properties: { 'completion-mode': 'grouped' } },
    };
    expect(req(formatQmpShell(withProps))).toEqual(withProps);
  });

  it('writes JSON, compact or pretty', () => {
    expect(formatJson({ execute: 'stop' })).toBe('{"execute":"stop"}');
    expect(formatJson({ execute: 'x', arguments: { a: 1 } }, { pretty: true })).toBe(
      '{\n  "execute": "x",\n  "arguments": {\n    "a": 1\n  }\n}',
    );
  });

  it('quotes for a POSIX shell', () => {
    expect(shellQuote('demo')).toBe('demo');
    expect(shellQuote('my vm')).toBe("'my vm'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('writes virsh lines', () => {
    expect(formatVirsh({ execute: 'query-status' }, 'demo')).toBe(
      `virsh qemu-monitor-command demo --pretty '{"execute":"query-status"}'`,
    );
    expect(formatVirsh({ execute: 'x', arguments: { s: "it's" } }, "o'vm")).toBe(
      `virsh qemu-monitor-command 'o'\\''vm' --pretty '{"execute":"x","arguments":{"s":"it'\\''s"}}'`,
    );
    expect(
      formatVirsh({ execute: 'human-monitor-command', arguments: { 'command-line': 'info status' } }, 'demo'),
    ).toBe(`virsh qemu-monitor-command demo --hmp 'info status'`);
    expect(
      formatVirsh(
        { execute: 'human-monitor-command', arguments: { 'command-line': 'info registers', 'cpu-index': 1 } },
        'demo',
      ),
    ).toContain('--pretty');
  });

  it('round-trips any command through the qmp-shell line', () => {
    const key = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
      fc.string({ minLength: 1, maxLength: 6 }),
    );
    const leaf: fc.Arbitrary<Json> = fc.oneof(
      fc.string(),
      fc.constantFrom('1', 'true', 'null', '[', '{a', ' ', '"', "'", '\\', '=', 'a,b', '(x)', 'x.y'),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec<{ value: Json }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3 }),
      ),
    }));
    const command = fc.record({
      execute: fc.stringMatching(/^[a-z][a-z_-]{0,12}$/),
      arguments: fc.dictionary(key, value, { maxKeys: 4 }),
    });
    fc.assert(
      fc.property(command, (c) => {
        const expected: QmpRequest =
          Object.keys(c.arguments).length > 0
            ? { execute: c.execute, arguments: c.arguments as JsonObject }
            : { execute: c.execute };
        const back = shell(formatQmpShell(expected));
        if (!back.ok) throw new Error(`${formatQmpShell(expected)}: ${back.error.message}`);
        expect(back.request).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
