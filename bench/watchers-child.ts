// A share of the fan-out's WebSocket watchers, in a process of their own, as a hundred clients of the
// console would be: read in one process, their frames queue behind each other there, and the delays
// measured would be that process's. The process lives for the whole section (its code stays compiled);
// its watchers connect for a round and close after it. Driven by lines on stdin, answered on stdout:
//   (start)  → ready
//   open N   → opened             (N watchers connected and negotiated)
//   reset    → reset              (counts and delays start again)
//   counts   → counts [N, …]      (storm events each watcher has seen)
//   collect  → collected          (each watcher's delays, in ms, written to OUT_FILE as float64s)
//   close    → closed
// Usage: watchers-child.ts WS_URL HEADERS_JSON OUT_FILE
import { writeFileSync } from 'node:fs';
import readline from 'node:readline';
import { type Watcher, watchWebSocket } from './lib/watchers.ts';

const [url, headersJson, outFile] = process.argv.slice(2);
if (!url || !headersJson || !outFile)
  throw new Error('usage: watchers-child.ts WS_URL HEADERS_JSON OUT_FILE');
const headers = JSON.parse(headersJson) as Record<string, string>;
let watchers: Watcher[] = [];
const say = (line: string) => process.stdout.write(`${line}\n`);
process.stdout.write('ready\n');
readline.createInterface({ input: process.stdin }).on('line', async (command) => {
  if (command.startsWith('open ')) {
    const n = Number(command.slice(5));
    watchers = await Promise.all(Array.from({ length: n }, () => watchWebSocket(url, headers)));
    say('opened');
  } else if (command === 'reset') {
    for (const w of watchers) w.reset();
    say('reset');
  } else if (command === 'counts') {
    say(`counts ${JSON.stringify(watchers.map((w) => w.count))}`);
  } else if (command === 'collect') {
    writeFileSync(outFile, new Float64Array(watchers.flatMap((w) => w.delays)));
    say('collected');
  } else if (command === 'close') {
    for (const w of watchers) w.close();
    watchers = [];
    say('closed');
  }
});
