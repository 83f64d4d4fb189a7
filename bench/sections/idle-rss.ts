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
    // Then an abusive reader tries every filter shape of the event API (each a query of its own), and
    // leaves: the console should come back near its idle figure, holding nothing for what was asked.
    const shapes = ['', '&after=1', '&since=0&until=9999999999999', '&order=asc&before=99'];
    const eventNames = Array.from({ length: 64 }, (_, i) => `EVENT_${i}`);
    for (let n = 1; n <= eventNames.length; n++)
      await Promise.all(
        shapes.map(async (shape) => {
          const res = await fetch(`${c.url}api/events?event=${eventNames.slice(0, n).join(',')}${shape}`, {
            headers: c.headers,
          });
          await res.arrayBuffer();
        }),
      );
    const abused = memoryMiB(c.pid).rss;
    for (const w of watchers) w.close();
    watchers.length = 0;
    await sleep(3000);
    const after = memoryMiB(c.pid).rss;
    report.data.idleRss = {
      ...(report.data.idleRss as object),
      abusedMiB: round(abused),
      afterAbuseMiB: round(after),
    };
    report.goal({
      section: SECTION,
      figure: `RSS once the clients of an abusive session (${eventNames.length * shapes.length} filter shapes) have left`,
      value: after,
      unit: 'MiB',
      reference: `idle ${round(mem.rss)} MiB, ${round(abused)} MiB during`,
      versus: 'goal ≤ idle + 16 MiB',
      ok: after <= mem.rss + 16,
    });
  } finally {
    for (const w of watchers) w.close();
    await console?.stop();
    await disposeAll(vms);
  }
}
