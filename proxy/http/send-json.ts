// Every JSON answer of the console's API: never cached, length known up front, compressed when the
// client accepts it and the body is worth it (a VM's I/O history, a journal page: JSON shrinks 3–10×).
import type { ServerResponse } from 'node:http';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { acceptedEncodings } from './static-files.ts';

/**
 * Below this a compressed body saves less than its headers and the thread-pool hop cost. Columns of
 * samples (a VM's I/O history a minute after it started) already shrink 3× at 600 bytes.
 */
const COMPRESS_MIN_BYTES = 512;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** For JSON already serialised (journal records are stored as JSON text). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'Accept-Encoding',
  };
  const accepted =
    text.length >= COMPRESS_MIN_BYTES ? acceptedEncodings(res.req?.headers['accept-encoding']) : null;
  const coding = accepted?.has('br') ? 'br' : accepted?.has('gzip') ? 'gzip' : null;
  if (coding === null) {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  // On libuv's thread pool: a large page compressed on the event loop would hold up QEMU's events.
  const done = (err: Error | null, body: Buffer) => {
    if (res.destroyed) return;
    if (err) {
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(status, { ...headers, 'content-encoding': coding, 'content-length': body.length });
    res.end(body);
  };
  if (coding === 'br')
    brotliCompress(
      text,
      { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } },
      done,
    );
  else gzip(text, { level: 6 }, done);
}
