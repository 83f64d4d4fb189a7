#!/usr/bin/env node
// Runs the compiled proxy; `npm start` builds it first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/proxy/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('qmp-console: not built yet: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
await import(main);
