// Drives a BLOCK_IO_ERROR storm on a QMP unix socket from its own process, as a guest retrying a failing
// disk would, whoever is watching: `cont`, and again after each STOP, for DURATION_MS. Prints the run as
// one JSON line. Usage: storm-driver.ts SOCKET_PATH DURATION_MS [MAX_EVENTS]
import { connectUnix, negotiate } from './lib/links.ts';
import { storm } from './lib/measure.ts';

const [socketPath, duration, maxEvents] = process.argv.slice(2);
if (!socketPath || !duration) throw new Error('usage: storm-driver.ts SOCKET_PATH DURATION_MS');
const link = await connectUnix(socketPath);
await negotiate(link);
process.stdout.write('ready\n');
// Starts when told (a line on stdin), so the watchers can get ready first.
process.stdin.once('data', async () => {
  const run = await storm(link, Number(duration), maxEvents ? Number(maxEvents) : undefined);
  await link.close();
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
});
