import { describe, expect, it } from 'vitest';
import type { QmpReply } from '../../protocol/qmp.ts';
import { replyWithClientId } from './reply-id.ts';

function reply(raw: string, upstreamId: number) {
  return { raw, upstreamId, message: JSON.parse(raw) as QmpReply };
}

describe('replyWithClientId', () => {
  const ids = [0, 7, -1.5, 'abc', 'with "quotes"', null, { a: [1, null] }, [1, 'x'], true];

  it.each(ids)('restores client id %j on a return and an error exactly', (id) => {
    const ok = replyWithClientId(reply('{"return": {"status": "prelaunch"}, "id": 12}', 12), id);
    expect(JSON.parse(ok)).toEqual({ return: { status: 'prelaunch' }, id });
    const err = replyWithClientId(
      reply('{"id": 12, "error": {"class": "CommandNotFound", "desc": "x"}}', 12),
      id,
    );
    expect(JSON.parse(err)).toEqual({ id, error: { class: 'CommandNotFound', desc: 'x' } });
  });

  it('leaves no id on a reply to a command sent without one', () => {
    expect(JSON.parse(replyWithClientId(reply('{"return": {}, "id": 3}', 3), undefined))).toEqual({
      return: {},
    });
    const err = replyWithClientId(
      reply('{"id": 3, "error": {"class": "GenericError", "desc": "d"}}', 3),
      undefined,
    );
    expect(JSON.parse(err)).toEqual({ error: { class: 'GenericError', desc: 'd' } });
  });

  it('does not touch an "id" inside the returned data', () => {
    const out = replyWithClientId(reply('{"return": [{"id": 3}], "id": 3}', 3), 'mine');
    expect(JSON.parse(out)).toEqual({ return: [{ id: 3 }], id: 'mine' });
  });

  it('writes the id as the client wrote it when given its text', () => {
    const big = '18446744073709551615';
    const ok = replyWithClientId(reply('{"return": {}, "id": 4}', 4), Number(big), big);
    expect(ok).toBe(`{"return": {}, "id": ${big}}`);
    const err = replyWithClientId(reply('{"id": 4, "error": {"class": "C", "desc": "d"}}', 4), 1, '1.0');
    expect(err).toBe('{"id": 1.0, "error": {"class": "C", "desc": "d"}}');
    expect(replyWithClientId(reply('{"id":4,"return":{}}', 4), 0, '-0')).toBe('{"return": {}, "id": -0}');
  });

  it('falls back to re-serialising an unusually formatted reply', () => {
    const out = replyWithClientId(reply('{"id":9,"return":{}}', 9), 'x');
    expect(JSON.parse(out)).toEqual({ return: {}, id: 'x' });
  });
});
