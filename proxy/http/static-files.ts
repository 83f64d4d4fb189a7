// Serves the built SPA; any other non-API path gets index.html so deep links work. The build writes
// brotli and gzip copies beside each text asset; a browser gets the smallest one it accepts.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { PageSnapshot } from '../../protocol/api.ts';
import { createIndexPage, themeFromCookie } from './index-page.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Encodings the build writes, best first, with the suffix of their file. */
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The codings an Accept-Encoding header allows (q=0 refuses one; `*` stands for the rest). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  let star = false;
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (name === '*') star = ok;
    else (ok ? accepted : refused).add(name);
  }
  if (star) for (const e of encodings) if (!refused.has(e.name)) accepted.add(e.name);
  return accepted;
}

/** Browsers ask for /favicon.ico whatever the page says; the app's mark is an SVG. */
const aliases: Record<string, string> = { '/favicon.ico': '/favicon.svg' };

/**
 * Headers that govern a document (what it may run, frame, refer): a script or stylesheet is never one
 * (the app starts no Worker, whose script would take its policy from its own response), so each of the
 * first page's dozen assets goes without these ~200 bytes.
 */
const DOCUMENT_ONLY_HEADERS = ['content-security-policy', 'x-frame-options', 'referrer-policy'];
const subresource = /\.(?:js|css|map)$/;

/** The last page sent in each coding: pages repeat while no VM changes (a reload, a second tab). */
const lastPages = new Map<string, { html: string; body: Buffer }>();

/** `html` in `coding`, at the best level (a couple of KiB: a few milliseconds, once per change). */
function compressPage(html: string, coding: 'br' | 'gzip'): Buffer {
  const last = lastPages.get(coding);
  if (last?.html === html) return last.body;
  const raw = Buffer.from(html);
  const body =
    coding === 'br'
      ? brotliCompressSync(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_LGWIN]: 16,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : gzipSync(raw, { level: 9 });
  lastPages.set(coding, { html, body });
  return body;
}

/** A page made for one request (index.html with what it adds), compressed as the browser accepts. */
function sendPage(req: IncomingMessage, res: ServerResponse, html: string): void {
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  const coding = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
  const body = coding ? compressPage(html, coding) : Buffer.from(html);
  res.writeHead(200, {
    'content-type': types['.html'],
    'content-length': body.length,
    ...(coding ? { 'content-encoding': coding } : {}),
    vary: 'Accept-Encoding',
    // Holds the VM list as it is now: never kept.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function createStaticHandler(root: string) {
  const base = path.resolve(root);
  const indexPage = createIndexPage(base);
  /**
   * `snapshot`: what the page asks first (the VM list, the session), for a browser allowed to read it
   * (index.html then carries it); omitted for a visitor without a token.
   */
  return async function serveStatic(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    snapshot?: () => PageSnapshot,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = path.resolve(base, `.${aliases[pathname] ?? pathname}`);
    if (!file.startsWith(base + path.sep) && file !== base) file = path.join(base, 'index.html');
    let info = await stat(file).catch(() => null);
    const isAsset = pathname.startsWith('/assets/');
    if (!info?.isFile()) {
      if (isAsset || path.extname(pathname) !== '') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      file = path.join(base, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end('The SPA is not built: run `npm run build`.\n');
        return;
      }
    }
    if (file === path.join(base, 'index.html')) {
      const page = indexPage.render(
        pathname,
        snapshot ? snapshot() : null,
        themeFromCookie(req.headers.cookie),
      );
      if (page !== null) return sendPage(req, res, page);
    }
    let body = file;
    let size = info.size;
    let coding: string | null = null;
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    for (const e of encodings) {
      if (!accepted.has(e.name)) continue;
      const c = await stat(file + e.suffix).catch(() => null);
      if (c?.isFile()) {
        body = file + e.suffix;
        size = c.size;
        coding = e.name;
        break;
      }
    }
    if (subresource.test(file)) for (const name of DOCUMENT_ONLY_HEADERS) res.removeHeader(name);
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      ...(coding ? { 'content-encoding': coding } : {}),
      // Caches keep one copy per coding.
      vary: 'Accept-Encoding',
      // Vite fingerprints asset names, so they never change; index.html must always be fresh.
      'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(body)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
