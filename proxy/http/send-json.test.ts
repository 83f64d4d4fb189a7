// API answers as sent: compressed in the coding the client accepts once worth it, plain otherwise.
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from './send-json.ts';

/** A VM's I/O history a minute in: columns of mostly zeros, about 600 bytes of JSON. */
const columns = Object.fromEntries([
  ['t', Array.from({ length: 40 }, (_, i) => i * 2)],
  ...['rb', 'wb', 'ro', 'wo', 'fr', 'fw'].map((k) => [k, Array.from({ length: 40 }, () => 0)]),
]);
const big = { samples: Array.from({ length: 300 }, (_, i) => ({ t: 1_700_000_000_000 + i * 2000, v: i })) };
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) =>
    sendJson(res, 200, req.url === '/big' ? big : req.url === '/columns' ? columns : { ok: true }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

function get(pathname: string, acceptEncoding?: string) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request(base + pathname, {
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end();
  });
}

describe('sendJson', () => {
  it('sends brotli to a browser that accepts it, smaller and with its length and Vary', async () => {
    const { headers, body } = await get('/big', 'gzip, deflate, br');
    expect(headers['content-encoding']).toBe('br');
    expect(headers.vary).toBe('Accept-Encoding');
    expect(Number(headers['content-length'])).toBe(body.length);
    expect(body.length).toBeLessThan(JSON.stringify(big).length / 3);
    expect(JSON.parse(brotliDecompressSync(body).toString())).toEqual(big);
  });

  it('compresses an answer of a few hundred bytes that compression shrinks', async () => {
    expect(JSON.stringify(columns).length).toBeGreaterThan(512);
    expect(JSON.stringify(columns).length).toBeLessThan(1024);
    const { headers, body } = await get('/columns', 'br');
    expect(headers['content-encoding']).toBe('br');
    expect(body.length).toBeLessThan(JSON.stringify(columns).length / 3);
    expect(JSON.parse(brotliDecompressSync(body).toString())).toEqual(columns);
  });

  it('sends gzip when brotli is not accepted', async () => {
    const { headers, body } = await get('/big', 'gzip, br;q=0');
    expect(headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(body).toString())).toEqual(big);
  });

  it('sends plain JSON to a client that accepts no coding, and small answers always', async () => {
    const plain = await get('/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toEqual(big);
    const small = await get('/small', 'br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(Number(small.headers['content-length'])).toBe(small.body.length);
    expect(JSON.parse(small.body.toString())).toEqual({ ok: true });
  });
});
