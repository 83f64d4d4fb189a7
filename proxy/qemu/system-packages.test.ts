import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviceLine, isInstalled, plan } from '../../scripts/system-packages.mjs';

const has =
  (...programs: string[]) =>
  (program: string) =>
    programs.includes(program);

describe('system-packages plan', () => {
  it('does nothing when every need is installed', () => {
    const facts = { installed: has('qemu-system-x86_64', '/usr/bin/chromium'), root: false, apt: false };
    expect(plan(['qemu', 'chromium'], facts)).toEqual({ action: 'none' });
  });

  it('installs the missing packages as root with apt-get', () => {
    const facts = { installed: has('/usr/bin/chromium'), root: true, apt: true };
    expect(plan(['qemu', 'chromium', 'websockify'], facts)).toEqual({
      action: 'install',
      packages: ['qemu-system-x86', 'websockify'],
    });
  });

  it('advises when it cannot install: not root, or no apt-get', () => {
    expect(plan(['qemu', 'chromium'], { installed: has(), root: false, apt: true })).toEqual({
      action: 'advise',
      packages: ['qemu-system-x86', 'chromium'],
    });
    expect(plan(['qemu'], { installed: has(), root: true, apt: false })).toMatchObject({ action: 'advise' });
    expect(adviceLine(['qemu-system-x86', 'chromium'])).toBe(
      'qmp-console needs: sudo apt-get install -y qemu-system-x86 chromium',
    );
  });

  it('knows the monitoring packages: promtool comes with prometheus', () => {
    const facts = { installed: has('promtool'), root: true, apt: true };
    expect(plan(['prometheus', 'alertmanager'], facts)).toEqual({
      action: 'install',
      packages: ['prometheus-alertmanager'],
    });
  });

  it("lists every package `npm test` needs, the monitoring test's among them", async () => {
    const pkg = JSON.parse(await readFile(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const needs = /system-packages\.mjs ([a-z ]+)/.exec(pkg.scripts.test!)?.[1]?.trim().split(' ');
    expect(needs).toEqual(expect.arrayContaining(['qemu', 'chromium', 'prometheus', 'alertmanager']));
    expect(plan(needs!, { installed: has(), root: false, apt: true })).toMatchObject({
      packages: expect.arrayContaining(['prometheus', 'prometheus-alertmanager']),
    });
  });

  it('refuses a need it does not know', () => {
    expect(plan(['qemu', 'firefox'], { installed: has(), root: true, apt: true })).toEqual({
      action: 'unknown',
      names: ['firefox'],
    });
  });

  it('finds executables on PATH and by absolute path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qmp-console-test-'));
    try {
      await writeFile(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      await writeFile(path.join(dir, 'data'), '', { mode: 0o644 });
      expect(isInstalled('tool', `/nonexistent${path.delimiter}${dir}`)).toBe(true);
      expect(isInstalled('data', dir)).toBe(false);
      expect(isInstalled(path.join(dir, 'tool'), '')).toBe(true);
      expect(isInstalled('tool', '')).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
