// Captures QEMU's `query-qmp-schema` into a fixture for the composer's schema tests:
//   npx tsx scripts/capture-qmp-schema.ts [OUT] [QEMU]
// OUT defaults to web/src/composer/fixtures/qemu-MAJOR.MINOR-schema.json (from QEMU's greeting);
// QEMU defaults to qemu-system-x86_64. Boots a paused TCG machine with no devices, negotiates,
// asks for the schema and writes it as compact JSON (the reply's `return`, unchanged), then quits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [outArg, qemuArg] = process.argv.slice(2);
const qemuBinary = qemuArg ?? 'qemu-system-x86_64';

const dir = mkdtempSync(join(tmpdir(), 'qmp-schema-'));
const socketPath = join(dir, 'qmp.sock');
const qemu = spawn(
  qemuBinary,
  [
    '-S',
    '-nodefaults',
    '-machine',
    'pc,accel=tcg',
    '-display',
    'none',
    '-qmp',
    `unix:${socketPath},server=on,wait=off`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);

function cleanup(): void {
  if (qemu.exitCode === null) qemu.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

async function connectWhenReady(deadline: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(socketPath, () => resolve(s));
        s.once('error', reject);
      });
    } catch (err) {
      if (qemu.exitCode !== null) throw new Error(`${qemuBinary} exited with ${qemu.exitCode}`);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Reads CRLF-separated JSON messages; skips events. */
function messages(socket: Socket): () => Promise<Record<string, unknown>> {
  let buffer = '';
  const queue: Record<string, unknown>[] = [];
  let waiting: ((m: Record<string, unknown>) => void) | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if ('event' in msg) continue;
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(msg);
      } else queue.push(msg);
    }
  });
  return () => {
    const next = queue.shift();
    return next ? Promise.resolve(next) : new Promise((resolve) => (waiting = resolve));
  };
}

async function main(): Promise<void> {
  const socket = await connectWhenReady(Date.now() + 10_000);
  const next = messages(socket);
  const greeting = (await next()) as { QMP?: { version: { qemu: { major: number; minor: number } } } };
  if (!greeting.QMP) throw new Error(`expected the QMP greeting, got ${JSON.stringify(greeting)}`);
  const { major, minor } = greeting.QMP.version.qemu;

  const run = async (execute: string): Promise<unknown> => {
    socket.write(`${JSON.stringify({ execute, id: execute })}\n`);
    const reply = await next();
    if ('error' in reply) throw new Error(`${execute}: ${JSON.stringify(reply.error)}`);
    return reply.return;
  };
  await run('qmp_capabilities');
  const schema = await run('query-qmp-schema');
  if (!Array.isArray(schema)) throw new Error('query-qmp-schema did not return a list');

  const out = outArg ?? join('web/src/composer/fixtures', `qemu-${major}.${minor}-schema.json`);
  writeFileSync(out, `${JSON.stringify(schema)}\n`);
  console.log(`${out}: ${schema.length} entities from QEMU ${major}.${minor}`);
  await run('quit').catch(() => {});
  socket.destroy();
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(cleanup);
