#!/usr/bin/env node
// Runs the compiled proxy, building the project first when it has not been built yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = fileURLToPath(new URL('../dist/proxy/main.js', import.meta.url));
const spa = fileURLToPath(new URL('../dist/web/index.html', import.meta.url));
if (!existsSync(main) || !existsSync(spa)) {
  process.stderr.write('qmp-console: first run: building the console (npm run build)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', '-s', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0 || !existsSync(main)) {
    process.stderr.write('qmp-console: the build failed; run `npm ci && npm run build` and try again\n');
    process.exit(1);
  }
}
await import(main);
