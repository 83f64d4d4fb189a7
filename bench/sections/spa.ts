// 5. The SPA: gzipped JS+CSS of the first page and of the whole app (from the build output), then in
// Chromium: navigation to the VM's real run state shown, and the event log during a real storm (longest
// main-thread task, total blocking time, rendered rows, JS heap).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from '@playwright/test';
import { request } from '../lib/links.ts';
import type { StormRun } from '../lib/measure.ts';
import { sleep } from '../lib/processes.ts';
import type { Report } from '../lib/report.ts';
import type { Rig } from '../lib/rig.ts';
import { ROOT, tsxChild } from '../lib/servers.ts';
import { median, round } from '../lib/stats.ts';

const SIZE = '5. SPA size (gzip -9 of the build output)';
const BROWSER = '5. SPA in Chromium';
const CHROMIUM = '/usr/bin/chromium';
const NAVIGATIONS = 5;
const KiB = 1024;

// Scripts for the page are strings: tsx would wrap functions passed from here in `__name()`, which
// the page does not have.

/** Records when the frame that first shows `expected` as the run state is painted (ms since navigation). */
const statusWatchScript = (expected: string) => `(() => {
  const expected = ${JSON.stringify(expected)};
  const check = () => {
    const el = document.querySelector('[role="status"][aria-label="Run state"]');
    if (el && el.textContent === expected && window.__statusShownAt === undefined) {
      window.__statusShownAt = -1;
      observer.disconnect();
      requestAnimationFrame(() => { window.__statusShownAt = performance.now(); });
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();`;

const LONG_TASKS_SCRIPT = `window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });`;

/** The event log's "N shown of M loaded events" and its rendered rows. */
const PAGE_FIGURES = `(() => {
  const strong = document.querySelectorAll('.log-count strong');
  const num = (el) => Number(((el && el.textContent) || '').replace(/[^0-9]/g, ''));
  return { loaded: num(strong[1]), rows: document.querySelectorAll('.log-rows > li').length };
})()`;

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** The JS and CSS index.html loads before any code runs: its module script, modulepreloads and stylesheets. */
export function firstPageAssets(html: string): string[] {
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.add(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    const rel = /\brel="([^"]+)"/.exec(tag)?.[1];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && (rel === 'stylesheet' || rel === 'modulepreload')) refs.add(href);
  }
  return [...refs].filter((r) => /\.(js|css)$/.test(r));
}

export async function spaSection(rig: Rig | null, report: Report): Promise<void> {
  const web = path.join(ROOT, 'dist/web');
  if (!existsSync(path.join(web, 'index.html'))) {
    report.skip(SIZE, 'dist/web is not built (npm run build)');
    report.skip(BROWSER, 'dist/web is not built (npm run build)');
    return;
  }
  const first = firstPageAssets(readFileSync(path.join(web, 'index.html'), 'utf8'));
  const firstBytes = first.reduce((n, ref) => n + gz(path.join(web, ref)), 0);
  const assets = readdirSync(path.join(web, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  const allBytes = assets.reduce((n, f) => n + gz(path.join(web, 'assets', f)), 0);
  report.data.spaSize = {
    firstPage: first,
    firstPageGzipBytes: firstBytes,
    allFiles: assets.length,
    allGzipBytes: allBytes,
  };
  report.goal({
    section: SIZE,
    figure: `first page: index.html's ${first.length} JS/CSS files`,
    value: firstBytes / KiB,
    unit: 'KiB',
    reference: 'issue: stack floor 78.7 KiB',
    versus: 'goal ≤ 110 KiB',
    ok: firstBytes / KiB <= 110,
  });
  report.info({
    section: SIZE,
    figure: `whole app: ${assets.length} JS/CSS files`,
    value: allBytes / KiB,
    unit: 'KiB',
  });

  if (!rig) return report.skip(BROWSER, 'no QEMU and console to browse');
  if (!existsSync(CHROMIUM)) return report.skip(BROWSER, `${CHROMIUM} is not installed`);
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    await statusTime(browser, rig, report, web);
    await eventLogStorm(browser, rig, report);
  } finally {
    await browser.close();
  }
}

async function newPage(browser: Browser, rig: Rig): Promise<Page> {
  // The console's CSP forbids eval; Playwright's waitForFunction probes are the bench's, not the app's.
  const context = await browser.newContext({ bypassCSP: true });
  await context.addCookies([
    { name: `qmp-console-${rig.console.port}`, value: rig.console.token, url: rig.console.url },
  ]);
  return context.newPage();
}

/** The VM's run state as QEMU says it now. */
async function runState(rig: Rig): Promise<string> {
  const link = await rig.open('console');
  const reply = await request(link, '{"execute":"query-status","id":1}');
  await link.close();
  return (JSON.parse(reply) as { return: { status: string } }).return.status;
}

async function statusTime(browser: Browser, rig: Rig, report: Report, web: string): Promise<void> {
  const status = await runState(rig);
  const times: number[] = [];
  const loaded: number[] = [];
  const received: number[] = [];
  let receivedBy: Record<string, number> = {};
  for (let i = 0; i <= NAVIGATIONS; i++) {
    const page = await newPage(browser, rig);
    try {
      // Bytes on the wire, as Chromium counts them (headers and compressed bodies) per finished request.
      const cdp = await page.context().newCDPSession(page);
      const urls = new Map<string, string>();
      const bytes = new Map<string, number>();
      cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
      cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
      await cdp.send('Network.enable');
      // The frame that first paints the run state QEMU reports, in ms since navigation start.
      await page.addInitScript(statusWatchScript(status));
      await page.goto(`${rig.console.url}vms/vm`, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(
        'window.__statusShownAt !== undefined && window.__statusShownAt >= 0 ? window.__statusShownAt : null',
        null,
        { timeout: 15_000 },
      );
      const t = (await handle.jsonValue()) as number;
      // What the first page fetches after the paint (the favicon, the next API reads) counts too.
      await page.waitForLoadState('load');
      await sleep(500);
      const byPath: Record<string, number> = {};
      for (const [id, n] of bytes) {
        const p = urls.get(id) ?? '?';
        byPath[p] = (byPath[p] ?? 0) + n;
      }
      const wire = [...bytes.values()].reduce((a, b) => a + b, 0);
      // Which JS/CSS did this page load (in gzip bytes of the build files)?
      const resources = (await page.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)",
      )) as string[];
      const gzBytes = resources
        .filter((u) => /\.(js|css)$/.test(u))
        .reduce((n, u) => n + gz(path.join(web, u)), 0);
      // The first navigation warms Chromium itself; the rest count.
      if (i > 0) {
        times.push(t);
        loaded.push(gzBytes);
        received.push(wire);
        receivedBy = byPath;
      }
    } finally {
      await page.context().close();
    }
  }
  const t = median(times);
  report.data.statusVisible = {
    status,
    msEach: times.map(round),
    loadedGzipBytes: loaded,
    receivedBytes: received,
    receivedBytesByPath: receivedBy,
  };
  report.goal({
    section: BROWSER,
    figure: `navigation to /vms/NAME → run state "${status}" painted (median of ${NAVIGATIONS}, fresh context each)`,
    value: t,
    unit: 'ms',
    reference: `max ${round(Math.max(...times))} ms`,
    versus: 'goal ≤ 300 ms',
    ok: t <= 300,
  });
  const wire = median(received) / KiB;
  report.goal({
    section: BROWSER,
    figure: 'first page on the wire: bytes Chromium received for /vms/NAME (median)',
    value: wire,
    unit: 'KiB',
    reference: `${Object.keys(receivedBy).length} requests, headers included, WebSocket not counted`,
    versus: 'goal ≤ 110 KiB',
    ok: wire <= 110,
  });
  report.info({
    section: SIZE,
    figure: 'JS/CSS Chromium loaded for /vms/NAME',
    value: median(loaded) / KiB,
    unit: 'KiB',
    reference: 'gzip -9 of the files fetched',
  });
}

interface PageFigures {
  loaded: number;
  rows: number;
}

async function pageFigures(page: Page): Promise<PageFigures> {
  return (await page.evaluate(PAGE_FIGURES)) as PageFigures;
}

/** Waits until the page has loaded `target` events, or its count stops moving for 3 s. */
async function waitLoaded(page: Page, target: number): Promise<PageFigures> {
  let last = await pageFigures(page);
  let still = Date.now();
  for (;;) {
    await sleep(100);
    const now = await pageFigures(page);
    if (now.loaded >= target) return now;
    if (now.loaded !== last.loaded) still = Date.now();
    else if (Date.now() - still > 3000) return now;
    last = now;
  }
}

async function driveStorm(rig: Rig, maxEvents: number, maxMs: number): Promise<StormRun> {
  const driver = tsxChild(
    'storm-driver',
    'bench/storm-driver.ts',
    [rig.vm.secondMonitorPath!, String(maxMs), String(maxEvents)],
    true,
  );
  try {
    await driver.waitForLine(/^ready$/);
    driver.child.stdin!.write('go\n');
    return JSON.parse((await driver.waitForLine(/^\{.*\}$/, maxMs + 20_000))[0]) as StormRun;
  } finally {
    await driver.stop();
  }
}

async function eventLogStorm(browser: Browser, rig: Rig, report: Report): Promise<void> {
  const page = await newPage(browser, rig);
  try {
    await page.addInitScript(LONG_TASKS_SCRIPT);
    await page.goto(`${rig.console.url}vms/vm/events`);
    const live = page.locator('.log-connection[data-state="live"]');
    try {
      await live.waitFor({ timeout: 15_000 });
    } catch {
      return report.skip(BROWSER, 'the event log page (/vms/NAME/events) never went live');
    }
    await sleep(1000);
    const before = await pageFigures(page);
    // BENCH_PAGE_PROFILE=FILE.cpuprofile: the page's CPU profile during the storm (open it in DevTools).
    const profileFile = process.env.BENCH_PAGE_PROFILE;
    const profiler = profileFile ? await page.context().newCDPSession(page) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    // BENCH_PAGE_TRACE=FILE.json: Chromium's timeline trace of the storm (layout, style, paint).
    const traceFile = process.env.BENCH_PAGE_TRACE;
    if (traceFile) await browser.startTracing(page, { path: traceFile, categories: ['devtools.timeline'] });
    const t0 = (await page.evaluate('performance.now()')) as number;
    const storm10k = await driveStorm(rig, 10_000, 20_000);
    const after10k = await waitLoaded(page, before.loaded + storm10k.events);
    const t1 = (await page.evaluate('performance.now()')) as number;
    if (traceFile) await browser.stopTracing();
    if (profiler && profileFile) {
      const { profile } = await profiler.send('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    const tasks = ((await page.evaluate('window.__longTasks')) as [number, number][]).filter(
      ([start]) => start >= t0 && start <= t1,
    );
    const longest = tasks.reduce((m, [, d]) => Math.max(m, d), 0);
    const tbt = tasks.reduce((n, [, d]) => n + Math.max(0, d - 50), 0);

    // On to 100,000 storm events in all, then the heap (after a full GC: what the page keeps).
    const storm90k = await driveStorm(rig, 100_000 - storm10k.events, 40_000);
    const after100k = await waitLoaded(page, after10k.loaded + storm90k.events);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () =>
      ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ??
        Number.NaN) /
      2 ** 20;
    const heapBeforeGc = await metric();
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await metric();
    const stormEvents = storm10k.events + storm90k.events;

    report.data.eventLog = {
      storm10k: {
        events: storm10k.events,
        perSecond: round(storm10k.perSecond),
        loadedGain: after10k.loaded - before.loaded,
      },
      longTasks: tasks.map(([s, d]) => [round(s - t0), round(d)]),
      rows: { after10k: after10k.rows, after100k: after100k.rows },
      stormEvents,
      loaded: after100k.loaded,
      heapMiB: { beforeGc: round(heapBeforeGc), afterGc: round(heap) },
    };
    const got = after10k.loaded - before.loaded;
    report.goal({
      section: BROWSER,
      figure: `event log, ${storm10k.events.toLocaleString('en-US')}-event storm: longest main-thread task`,
      value: longest,
      unit: 'ms',
      reference: `${tasks.length} tasks > 50 ms; ${got.toLocaleString('en-US')} events arrived`,
      versus: 'goal ≤ 50 ms',
      ok: longest <= 50 && got >= storm10k.events,
    });
    report.info({
      section: BROWSER,
      figure: 'event log, same storm: total blocking time',
      value: tbt,
      unit: 'ms',
    });
    report.goal({
      section: BROWSER,
      figure: 'event log: rendered rows (virtualized)',
      value: Math.max(after10k.rows, after100k.rows),
      unit: 'rows',
      reference: `${after100k.loaded.toLocaleString('en-US')} events loaded`,
      versus: 'goal < 200',
      ok: Math.max(after10k.rows, after100k.rows) < 200,
    });
    report.goal({
      section: BROWSER,
      figure: `event log: JS heap after ${stormEvents.toLocaleString('en-US')} storm events (after GC)`,
      value: heap,
      unit: 'MiB',
      reference: `${round(heapBeforeGc)} MiB before GC; ${after100k.loaded.toLocaleString('en-US')} events loaded`,
      versus: 'goal < 150 MiB at 100,000',
      ok: heap < 150 && stormEvents >= 100_000,
    });
  } finally {
    await page.context().close();
  }
}
