// The built console (dist/proxy) as its own process, for when the CLI entry cannot load (bench/lib/
// console-process.ts prefers bin/qmp-console.js). Same flags as qmp-console; prints the same ready line.
import { parseCliArgs } from '../dist/proxy/config/cli-config.js';
import { startConsole } from '../dist/proxy/console.js';

const config = parseCliArgs(process.argv.slice(2));
if (config === 'help') process.exit(0);
const running = await startConsole(config);
process.stdout.write(`QMP Console ready with ${config.targets.length} VM(s): open ${running.openUrl}\n`);
process.on('SIGTERM', () => {
  running.stop().then(() => process.exit(0));
});
