// Playwright fixtures: a console of our own, in front of real QEMUs booted for one test, torn down after it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { parseCliArgs } from '../../proxy/config/cli-config.ts';
import { type RunningConsole, startConsole } from '../../proxy/console.ts';
import type { LaunchQemuOptions } from '../../proxy/qemu/launch-qemu.ts';
import { bootQemu } from '../../proxy/test-support/qemu.ts';

type VmSpec = Omit<LaunchQemuOptions, 'dir'>;
type BootedQemu = Awaited<ReturnType<typeof bootQemu>>;

export interface VmConsole {
  url: string;
  console: RunningConsole;
  qemu: Record<string, BootedQemu>;
  /** Opens the console in a page (a fresh context's page needs this once). */
  open(page: Page, pathname?: string): Promise<void>;
}

export const test = base.extend<{ vmConsole: (vms: Record<string, VmSpec>) => Promise<VmConsole> }>({
  vmConsole: async ({}, use) => {
    const cleanups: (() => Promise<unknown>)[] = [];
    await use(async (vms) => {
      const qemu: Record<string, BootedQemu> = {};
      for (const [name, spec] of Object.entries(vms)) {
        const booted = await bootQemu(spec);
        cleanups.push(() => booted.dispose());
        qemu[name] = booted;
      }
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-e2e-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const args = ['--listen', '127.0.0.1:0', '--data-dir', dataDir];
      for (const [name, q] of Object.entries(qemu)) args.push('--target', `${name}=unix:${q.qmpPath}`);
      const config = parseCliArgs(args);
      if (config === 'help') throw new Error('unexpected help');
      const running = await startConsole(config, {
        staticDir: path.resolve('dist/web'),
        upstream: { initialBackoffMs: 50, maxBackoffMs: 1000 },
      });
      cleanups.push(() => running.stop());
      return {
        url: running.url,
        console: running,
        qemu,
        async open(page, pathname = '/') {
          await page.goto(new URL(pathname, running.url).toString());
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

export { expect };
