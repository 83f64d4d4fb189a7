import { describe, expect, it } from 'vitest';
import { parseRequest } from './request-check.ts';

describe('parseRequest answers bad input with the error QEMU 7.2 gives', () => {
  it.each([
    ['not json', 'JSON parse error', undefined],
    ['[1,2]', 'QMP input must be a JSON object', undefined],
    ['"str"', 'QMP input must be a JSON object', undefined],
    ['{"id":5}', "QMP input lacks member 'execute'", 5],
    ['{"execute":5,"id":6}', "QMP input member 'execute' must be a string", 6],
    [
      '{"execute":"query-status","arguments":[1],"id":7}',
      "QMP input member 'arguments' must be an object",
      7,
    ],
    [
      '{"execute":"query-status","arguments":null,"id":7}',
      "QMP input member 'arguments' must be an object",
      7,
    ],
    ['{"execute":"query-status","foo":1,"id":8}', "QMP input member 'foo' is unexpected", 8],
    ['{"exec-oob":"migrate-pause","id":9}', "QMP input member 'exec-oob' is unexpected", 9],
  ])('%s', (text, desc, id) => {
    const r = parseRequest(text, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.class).toBe('GenericError');
    expect(r.error.desc).toContain(desc);
    expect(r.id).toEqual(id);
  });

  it('rejects two commands in one frame, whatever separates them', () => {
    expect(parseRequest('{"execute":"stop"}{"execute":"quit"}', false).ok).toBe(false);
    expect(parseRequest('{"execute":"stop"}\n{"execute":"quit"}', false).ok).toBe(false);
  });

  it('survives nesting deep enough to overflow a recursive parser', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(parseRequest(deep, false).ok).toBe(false);
    const deepArgs = `{"execute":"x","arguments":{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    expect(() => parseRequest(deepArgs, false)).not.toThrow();
  });

  it('accepts exec-oob once oob is enabled, and a clash of both', () => {
    expect(parseRequest('{"exec-oob":"migrate-pause","id":1}', true)).toMatchObject({
      ok: true,
      kind: 'exec-oob',
    });
    const both = parseRequest('{"execute":"a","exec-oob":"b","id":2}', true);
    expect(both).toMatchObject({
      ok: false,
      error: { desc: "QMP input member 'exec-oob' clashes with 'execute'" },
    });
  });

  it('keeps the id exactly, including null and objects', () => {
    expect(parseRequest('{"execute":"q","id":null}', false)).toMatchObject({ ok: true, id: null });
    expect(parseRequest('{"execute":"q","id":{"a":[1]}}', false)).toMatchObject({ ok: true, id: { a: [1] } });
    expect(parseRequest('{"execute":"q"}', false)).toMatchObject({ ok: true, id: undefined });
  });
});
