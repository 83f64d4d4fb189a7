// The built SPA as served: the precompressed copy a browser accepts, Vary, the favicon, deep links.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../../scripts/precompress-plugin.ts';
import { acceptedEncodings, createStaticHandler } from './static-files.ts';

let dir: string;
let server: Server;
let base: string;
const js = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(',')}];\n`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'static-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>t</title>${'<p>x</p>'.repeat(200)}`);
  writeFileSync(path.join(dir, 'assets', 'app-1234.js'), js);
  writeFileSync(path.join(dir, 'assets', 'tiny.css'), 'a{}');
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  // A small script (public/theme-init.js is a few hundred bytes) still gains more than its header.
  writeFileSync(path.join(dir, 'small.js'), `document.title = '${'qmp '.repeat(60)}';\n`);
  expect(precompressDir(dir)).toBe(3);
  const serve = createStaticHandler(dir);
  server = createServer((req, res) => void serve(req, res, new URL(req.url!, 'http://x').pathname));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** The raw response (fetch would decode the body itself). */
function get(pathname: string, acceptEncoding?: string) {
  return new Promise<{ res: { status: number; headers: IncomingHttpHeaders }; body: Buffer }>(
    (resolve, reject) => {
      const req = request(base + pathname, {
        headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ res: { status: res.statusCode!, headers: res.headers }, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject).end();
    },
  );
}

describe('precompressed assets', () => {
  it('the build wrote brotli and gzip copies that decode to the file', () => {
    const file = path.join(dir, 'assets', 'app-1234.js');
    expect(brotliDecompressSync(readFileSync(`${file}.br`)).toString()).toBe(js);
    expect(gunzipSync(readFileSync(`${file}.gz`)).toString()).toBe(js);
  });

  it('brotli when accepted, else gzip, else the file; always Vary: Accept-Encoding', async () => {
    for (const [accept, coding] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['*', 'br'],
      ['*, br;q=0', 'gzip'],
      ['identity', null],
    ] as const) {
      const { res, body } = await get('/assets/app-1234.js', accept);
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.headers['content-encoding'] ?? null).toBe(coding);
      expect(Number(res.headers['content-length'])).toBe(body.length);
      const text = coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body;
      expect(text.toString()).toBe(js);
      if (coding) expect(body.length).toBeLessThan(js.length / 3);
    }
  });

  it('deep links get the compressed index.html; a file too small to gain is sent as it is', async () => {
    const page = await get('/vms/demo/events', 'br');
    expect(page.res.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.body).toString()).toMatch(/^<!doctype html>/);
    const small = await get('/small.js', 'gzip');
    expect(small.res.headers['content-encoding']).toBe('gzip');
    const tiny = await get('/assets/tiny.css', 'br, gzip');
    expect(tiny.res.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('a{}');
  });

  it('a missing asset is still a 404, whatever the encoding', async () => {
    expect((await get('/assets/nope.js', 'br')).res.status).toBe(404);
  });
});

describe('favicon', () => {
  it('/favicon.ico is the app’s mark, not a 404', async () => {
    const { res, body } = await get('/favicon.ico');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(body.toString()).toMatch(/^<svg/);
  });
});

describe('acceptedEncodings', () => {
  it('reads q-values and the wildcard', () => {
    expect([...acceptedEncodings('gzip;q=1.0, br;q=0')]).toEqual(['gzip']);
    expect([...acceptedEncodings(' BR ,Gzip')].sort()).toEqual(['br', 'gzip']);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
    expect([...acceptedEncodings('*;q=0')]).toEqual([]);
  });
});
