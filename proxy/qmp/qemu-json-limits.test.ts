import { describe, expect, it } from 'vitest';
import { parseRequest } from '../hub/request-check.ts';
import { QEMU_MAX_NESTING, qemuInputProblem, surelyFitsQemu } from './qemu-json-limits.ts';

const nest = (depth: number, inner = '0'): string => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('qemuInputProblem', () => {
  it('accepts ordinary requests', () => {
    expect(qemuInputProblem({ execute: 'query-status', id: 1 })).toBeNull();
    expect(
      qemuInputProblem({ execute: 'qom-get', arguments: { path: '/machine', property: 'type' }, id: 'x' }),
    ).toBeNull();
    expect(qemuInputProblem({ execute: 'x', arguments: { s: 'é 😀 \u0000 \u2028' } })).toBeNull();
  });

  it("accepts nesting up to QEMU's 1024 (the request object counts as 1), refuses one more", () => {
    // request {, arguments {, then arrays: total depth = 2 + arrays.
    const ok = JSON.parse(`{"execute":"x","arguments":{"a":${nest(QEMU_MAX_NESTING - 2)}}}`);
    const bad = JSON.parse(`{"execute":"x","arguments":{"a":${nest(QEMU_MAX_NESTING - 1)}}}`);
    expect(qemuInputProblem(ok)).toBeNull();
    expect(qemuInputProblem(bad)).toEqual({ where: 'request', desc: 'JSON nesting depth limit exceeded' });
  });

  it('finds a deep id (which the proxy could not even serialise back)', () => {
    const req = JSON.parse(`{"execute":"x","id":${nest(100_000)}}`);
    expect(qemuInputProblem(req)).toMatchObject({ where: 'id' });
  });

  it("refuses strings QEMU's parser rejects: unpaired surrogates and noncharacters, in keys or values", () => {
    for (const s of ['\ud800', 'a\udc00', '\ufffe', '\uffff', '\ufdd0', '\u{1fffe}', '\u{10ffff}']) {
      expect(qemuInputProblem({ execute: 'x', arguments: { k: s } })?.desc).toMatch(/not a valid Unicode/);
      expect(qemuInputProblem({ execute: 'x', arguments: { [s]: 1 } })?.desc).toMatch(/not a valid Unicode/);
    }
    expect(qemuInputProblem({ execute: 'quit\ud800' })?.desc).toMatch(/not a valid Unicode/);
    expect(qemuInputProblem({ execute: 'x', arguments: { k: '\ud83d\ude00' } })).toBeNull();
  });

  it('refuses more tokens than QEMU takes in one message', () => {
    const many = new Array(1_100_000).fill(0);
    expect(qemuInputProblem({ execute: 'x', arguments: { a: many } })?.desc).toMatch(/tokens/);
    expect(qemuInputProblem({ execute: 'x', arguments: { a: many.slice(0, 900_000) } })).toBeNull();
  });

  it('refuses more token bytes than QEMU takes in one message', () => {
    const huge = 'x'.repeat(64 * 1024 * 1024);
    expect(qemuInputProblem({ execute: 'x', arguments: { a: huge } })?.desc).toMatch(/bytes/);
    expect(qemuInputProblem({ execute: 'x', arguments: { a: huge.slice(0, 60 * 1024 * 1024) } })).toBeNull();
    // Escapes count as QEMU sees them: \u0001 is 6 bytes on the wire.
    const escaped = '\u0001'.repeat(11 * 1024 * 1024);
    expect(qemuInputProblem({ execute: 'x', arguments: { a: escaped } })?.desc).toMatch(/bytes/);
    expect(
      qemuInputProblem({ execute: 'x', arguments: { a: escaped.slice(0, 10 * 1024 * 1024) } }),
    ).toBeNull();
  });
});

describe('parseRequest with QEMU limits', () => {
  it('never forwards the nesting smuggle: query-status wrapping {"execute":"cont"} 1023 deep', () => {
    const text = `{"execute":"query-status","arguments":{"x":${nest(1023, '{"execute":"cont"}')}},"id":6}`;
    const r = parseRequest(text, false);
    expect(r).toMatchObject({ ok: false, error: { desc: 'JSON nesting depth limit exceeded' }, id: 6 });
  });

  it('drops an id it could not echo', () => {
    const r = parseRequest(`{"execute":"x","id":${nest(50_000)}}`, false);
    expect(r).toMatchObject({ ok: false, id: undefined });
  });

  it('refuses strings QEMU rejects in a small frame too, written raw or as \\u escapes', () => {
    for (const s of ['\\ud800', '\\uDC00', '\\ufffe', '\ufffe', '\ufdd0', '\u{1fffe}']) {
      const text = `{"execute":"x","arguments":{"k":"${s}"},"id":1}`;
      expect(surelyFitsQemu(text)).toBe(false);
      expect(parseRequest(text, false)).toMatchObject({
        ok: false,
        id: 1,
        error: { desc: /not a valid Unicode/ },
      });
    }
  });
});

describe('surelyFitsQemu', () => {
  it('passes small plain frames only: nothing in them could reach a QEMU limit', () => {
    expect(surelyFitsQemu('{"execute":"query-status","id":1}')).toBe(true);
    expect(surelyFitsQemu('{"execute":"qom-get","arguments":{"path":"/machine","property":"type"}}')).toBe(
      true,
    );
    // Deep enough to matter needs more text than the look allows.
    const deep = `{"execute":"x","arguments":{"a":${nest(QEMU_MAX_NESTING)}}}`;
    expect(surelyFitsQemu(deep)).toBe(false);
    expect(surelyFitsQemu(`{"execute":"x","arguments":{"a":"${'y'.repeat(QEMU_MAX_NESTING)}"}}`)).toBe(false);
    expect(surelyFitsQemu('{"execute":"x","arguments":{"k":"\\u00e9"}}')).toBe(false);
  });
});
