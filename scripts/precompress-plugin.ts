// A Vite plugin: after the build, writes `FILE.br` and `FILE.gz` beside every text asset, so the
// proxy serves compressed bytes without compressing on each request (brotli at its best level costs
// far too much CPU to do per request). Source maps are left alone: only a debugger fetches them.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const compressible = /\.(?:html|js|mjs|css|svg|json|txt)$/;
/** What a compressed answer adds to its headers (`content-encoding: gzip`): a copy must save more. */
const HEADER_BYTES = 32;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (entry.isFile()) yield p;
  }
}

/**
 * Writes `.br` and `.gz` beside each compressible file of `dir` where the copy is smaller by more than
 * the header it adds (a small script read before the first paint gains too); returns how many files.
 */
export function precompressDir(dir: string): number {
  let n = 0;
  for (const file of files(dir)) {
    if (!compressible.test(file) || statSync(file).size <= HEADER_BYTES) continue;
    const raw = readFileSync(file);
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
    const gz = gzipSync(raw, { level: 9 });
    const worth = (copy: Buffer) => copy.length + HEADER_BYTES < raw.length;
    if (worth(br)) writeFileSync(`${file}.br`, br);
    if (worth(gz)) writeFileSync(`${file}.gz`, gz);
    if (worth(br) || worth(gz)) n++;
  }
  return n;
}

export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'qmp-console-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}
