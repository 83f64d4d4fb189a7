// 6. The console's memory at rest: 10 VMs (10 QEMUs, -m 32) and 100 WebSocket clients connected, idle.
import { memoryMiB, sleep } from '../lib/processes.ts';
import { type BenchQemu, bootBenchQemu, disposeAll } from '../lib/qemu.ts';
import type { Report } from '../lib/report.ts';
import { startConsoleProcess, waitConsoleConnected } from '../lib/servers.ts';
import { round } from '../lib/stats.ts';
import { type Watcher, watchWebSocket } from '../lib/watchers.ts';

const SECTION = '6. Idle console memory';
const VMS = 10;
const CLIENTS = 100;

export async function idleRssSection(report: Report): Promise<void> {
  const vms: BenchQemu[] = [];
  const watchers: Watcher[] = [];
  let console: Awaited<ReturnType<typeof startConsoleProcess>> | null = null;
  try {
    const booted = await Promise.allSettled(
      Array.from({ length: VMS }, (_, i) => bootBenchQemu({ name: `idle${i}`, extraArgs: ['-m', '32'] })),
    );
    for (const b of booted) if (b.status === 'fulfilled') vms.push(b.value);
    const failed = booted.find((b) => b.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const names = vms.map((_, i) => `vm${i}`);
    console = await startConsoleProcess(Object.fromEntries(vms.map((vm, i) => [names[i]!, vm.qmpPath])));
    await waitConsoleConnected(console, names);
    const c = console;
    const connected = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => watchWebSocket(c.wsUrl(names[i % VMS]!), c.headers)),
    );
    watchers.push(...connected);
    // Let start-up garbage go: V8 collects on its own schedule, as it would in service.
    await sleep(3000);
    const mem = memoryMiB(c.pid);
    report.data.idleRss = {
      vms: VMS,
      clients: CLIENTS,
      rssMiB: round(mem.rss),
      peakMiB: round(mem.peak),
      entry: c.entry,
    };
    report.goal({
      section: SECTION,
      figure: `RSS with ${VMS} VMs and ${CLIENTS} clients connected, idle`,
      value: mem.rss,
      unit: 'MiB',
      reference: `peak ${round(mem.peak)} MiB`,
      versus: 'goal ≤ 80 MiB',
      ok: mem.rss <= 80,
    });
  } finally {
    for (const w of watchers) w.close();
    await console?.stop();
    await disposeAll(vms);
  }
}
