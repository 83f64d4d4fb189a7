// An instant QMP server, a load generator for the pipelined bench: it greets like QEMU 7.2, answers
// every command at once with a query-status-shaped reply in QEMU's format, and, unlike QEMU, serves
// any number of clients at the same time. Not a test double for features: it checks nothing.
// Prints `listening PATH`. Usage: fake-qmp-server.ts SOCKET_PATH
import { rmSync } from 'node:fs';
import net from 'node:net';

const socketPath = process.argv[2];
if (!socketPath) throw new Error('usage: fake-qmp-server.ts SOCKET_PATH');

const GREETING =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\r\n';
// A reply without its closing brace: `, "id": N}` or `}` follows, as QEMU writes them.
const STATUS_BODY = '{"return": {"status": "running", "singlestep": false, "running": true}';
const CAPABILITIES_BODY = '{"return": {}';

/** The request's id as sent (our clients put it last), or null. */
function idOf(line: string): string | null {
  const at = line.lastIndexOf('"id"');
  if (at === -1) return null;
  const colon = line.indexOf(':', at);
  const end = line.lastIndexOf('}');
  return end > colon ? line.slice(colon + 1, end).trim() : null;
}

rmSync(socketPath, { force: true });
const server = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.write(GREETING);
  let rest = '';
  socket.on('data', (chunk) => {
    const text = rest + chunk.toString('latin1');
    let out = '';
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const line = text.slice(start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
      if (line.trim() === '') continue;
      const id = idOf(line);
      const body = line.includes('qmp_capabilities') ? CAPABILITIES_BODY : STATUS_BODY;
      out += id === null ? `${body}}\r\n` : `${body}, "id": ${id}}\r\n`;
    }
    rest = text.slice(start);
    if (out) socket.write(out);
  });
});
server.listen(socketPath, () => process.stdout.write(`listening ${socketPath}\n`));
process.on('SIGTERM', () => {
  server.close();
  rmSync(socketPath, { force: true });
  process.exit(0);
});
