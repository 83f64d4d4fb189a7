// Playwright's webServer: the real CLI (`bin/qmp-console.js`, built) with its demo VM, in a fresh data dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = process.argv[2] ?? '18080';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-e2e-demo-'));
const child = spawn(
  process.execPath,
  ['bin/qmp-console.js', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
  {
    stdio: 'inherit',
  },
);
const forward = (signal) => () => child.kill(signal);
process.on('SIGTERM', forward('SIGTERM'));
process.on('SIGINT', forward('SIGINT'));
child.on('exit', (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
