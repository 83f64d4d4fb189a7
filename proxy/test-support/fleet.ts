// A fleet console (`--fleet --nats URL`) in-process for integration tests, like startTestConsole.
import { rmSync } from 'node:fs';
import {
  type FleetStartOptions,
  type RunningFleetConsole,
  startFleetConsole,
} from '../fleet/fleet-console.ts';
import { testClient, testConsoleConfig } from './console.ts';

export interface TestFleetOptions {
  natsUrl: string;
  name?: string;
  args?: string[];
  start?: FleetStartOptions;
  /** An existing data dir (kept at stop): a restarted fleet console. */
  dataDir?: string;
  env?: Record<string, string>;
}

export type TestFleet = ReturnType<typeof testClient> & {
  running: RunningFleetConsole;
  dataDir: string;
  stop(): Promise<void>;
};

export async function startTestFleet(opts: TestFleetOptions): Promise<TestFleet> {
  const { config, dataDir, token, ownDir } = testConsoleConfig({
    args: ['--fleet', '--nats', opts.natsUrl, '--host-name', opts.name ?? 'fleet-1', ...(opts.args ?? [])],
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  let running: RunningFleetConsole;
  try {
    running = await startFleetConsole(config, opts.start);
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    running,
    ...testClient(running.url, token),
    dataDir,
    async stop() {
      await running.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
