// `qmp-console`: parse flags, boot the demo VM when no target is given, serve until a signal.
import { ConfigError, parseCliArgs, usage } from './config/cli-config.ts';
import { startConsole } from './console.ts';
import { startDemoVm } from './demo/demo-vm.ts';
import { startFleetConsole } from './fleet/fleet-console.ts';
import { sizeHeap } from './heap-sizing.ts';
import { log } from './log.ts';
import { claimDataDir } from './security/data-dir.ts';
import { isLoopbackHost } from './security/security-config.ts';

async function main(): Promise<number> {
  let config: ReturnType<typeof parseCliArgs>;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`qmp-console: ${err.message} (see --help)\n`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(usage);
    return 0;
  }

  // Files the console makes (journal, sockets, the demo VM's images) are its user's alone.
  process.umask(0o077);
  sizeHeap();
  // First, before the demo VM's pidfile or images are touched: a second console on this dir stops here.
  const dataDirLock = claimDataDir(config.dataDir);
  const stops: (() => Promise<void>)[] = [];
  let demo: Awaited<ReturnType<typeof startDemoVm>> | null = null;
  let running: Pick<Awaited<ReturnType<typeof startConsole>>, 'url' | 'openUrl' | 'viewerToken' | 'stop'>;
  try {
    const started = config.demo ? await startDemoVm(config.dataDir) : null;
    demo = started;
    if (started) stops.push(() => started.stop());
    running = config.fleet
      ? await startFleetConsole(config)
      : await startConsole(config, {
          dataDirLock,
          ...(started
            ? { targets: [{ name: 'demo', address: { kind: 'unix', path: started.qmpPath } }] }
            : {}),
        });
  } catch (err) {
    await Promise.all(stops.map((s) => s()));
    dataDirLock.release();
    throw err;
  }
  stops.unshift(() => running.stop());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    for (const stop of stops)
      await stop().catch((e: unknown) => log.error('stop failed', { error: String(e) }));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  const what = config.fleet
    ? `the fleet in NATS (${config.nats?.servers.join(',')})`
    : demo
      ? 'demo VM "demo" (a real QEMU; its first disk fails reads on purpose)'
      : `${config.targets.length} VM(s)`;
  process.stdout.write(`QMP Console ready with ${what}: open ${running.openUrl}\n`);
  if (running.viewerToken)
    process.stdout.write(
      `  viewer (read-only) link: ${running.url}?token=${encodeURIComponent(running.viewerToken)}\n`,
    );
  if (config.security.metricsToken)
    process.stdout.write(`  Prometheus: ${running.url}metrics (Authorization: Bearer the --metrics-token)\n`);
  if (!isLoopbackHost(config.listen.host) && !config.security.tls)
    log.warn(
      'listening beyond loopback over plain HTTP: the token crosses the network in clear; use --tls-cert/--tls-key or a TLS reverse proxy',
    );
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`qmp-console: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
