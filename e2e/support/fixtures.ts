// Playwright fixtures: a console of our own, in front of real QEMUs booted for one test, torn down after it.
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import type { LaunchQemuOptions } from '../../proxy/qemu/launch-qemu.ts';
import { startTestConsole, type TestConsole } from '../../proxy/test-support/console.ts';
import { bootQemu } from '../../proxy/test-support/qemu.ts';

type VmSpec = Omit<LaunchQemuOptions, 'dir'>;
type BootedQemu = Awaited<ReturnType<typeof bootQemu>>;

export interface VmConsole {
  url: string;
  console: TestConsole;
  qemu: Record<string, BootedQemu>;
  /**
   * Opens a page of the console with a token link (it sets the cookie, then redirects): the operator's,
   * unless another (a `--viewer-token`) is given.
   */
  open(page: Page, pathname?: string, token?: string): Promise<void>;
}

/** `args`: extra console flags, e.g. `['--viewer-token', TOKEN]`. */
type VmConsoleFactory = (vms: Record<string, VmSpec>, options?: { args?: string[] }) => Promise<VmConsole>;

export const test = base.extend<{ vmConsole: VmConsoleFactory }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  vmConsole: async ({}, use) => {
    const cleanups: (() => Promise<unknown>)[] = [];
    await use(async (vms, options = {}) => {
      const qemu: Record<string, BootedQemu> = {};
      for (const [name, spec] of Object.entries(vms)) {
        const booted = await bootQemu(spec);
        cleanups.push(() => booted.dispose());
        qemu[name] = booted;
      }
      const vmSockets = Object.fromEntries(Object.entries(qemu).map(([name, q]) => [name, q.qmpPath]));
      const running = await startTestConsole({
        vms: vmSockets,
        ...(options.args ? { args: options.args } : {}),
        start: {
          staticDir: path.resolve('dist/web'),
          upstream: { initialBackoffMs: 50, maxBackoffMs: 1000 },
        },
      });
      cleanups.push(() => running.stop());
      return {
        url: running.url,
        console: running,
        qemu,
        async open(page, pathname = '/', token = running.token ?? undefined) {
          const url = new URL(pathname, running.url);
          if (token) url.searchParams.set('token', token);
          await page.goto(url.toString());
        },
      };
    });
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  },
});

/** Serious and critical accessibility violations on the page as it is now. */
export async function seriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
}

/** No serious or critical axe violation on the page as it is, in the light theme and in the dark. */
export async function expectNoSeriousA11yViolations(page: Page, what: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousA11yViolations(page), `${what}, ${colorScheme} theme`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

export { expect };
