#!/usr/bin/env node
// Checks the system programs qmp-console needs and, as root with apt-get, installs the missing ones.
//   node scripts/system-packages.mjs qemu chromium websockify
// All present: exits 0 silently. Otherwise (not root, no apt-get, or the install did not help) prints one
// line `qmp-console needs: sudo apt-get install -y PKG...` and exits 1.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Each need: the program that proves it is installed (a PATH name or an absolute path), its Debian package. */
export const NEEDS = {
  qemu: { program: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  chromium: { program: '/usr/bin/chromium', pkg: 'chromium' },
  websockify: { program: 'websockify', pkg: 'websockify' },
  // promtool tests the alerting rules; the monitoring integration test runs a real Prometheus.
  prometheus: { program: 'promtool', pkg: 'prometheus' },
  alertmanager: { program: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
};

/** True if `program` (absolute, or looked up on `pathEnv`) is an executable file. */
export function isInstalled(program, pathEnv = process.env.PATH ?? '') {
  const candidates = path.isAbsolute(program)
    ? [program]
    : pathEnv
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * What to do about `names`, decided from the facts only (pure, for the tests).
 * @param {string[]} names needs asked for, e.g. ['qemu', 'chromium']
 * @param {{ installed: (program: string) => boolean, root: boolean, apt: boolean }} facts
 * @returns {{ action: 'none' } | { action: 'install' | 'advise', packages: string[] } | { action: 'unknown', names: string[] }}
 */
export function plan(names, facts) {
  const unknown = names.filter((name) => !Object.hasOwn(NEEDS, name));
  if (unknown.length > 0) return { action: 'unknown', names: unknown };
  const packages = [
    ...new Set(names.filter((name) => !facts.installed(NEEDS[name].program)).map((name) => NEEDS[name].pkg)),
  ];
  if (packages.length === 0) return { action: 'none' };
  return { action: facts.root && facts.apt ? 'install' : 'advise', packages };
}

export function adviceLine(packages) {
  return `qmp-console needs: sudo apt-get install -y ${packages.join(' ')}`;
}

function main(names) {
  const facts = {
    installed: (program) => isInstalled(program),
    root: process.getuid?.() === 0,
    apt: isInstalled('apt-get'),
  };
  let decision = plan(names, facts);
  if (decision.action === 'unknown') {
    console.error(
      `system-packages: unknown need ${decision.names.join(', ')} (known: ${Object.keys(NEEDS).join(', ')})`,
    );
    return 2;
  }
  if (decision.action === 'install') {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (run(['update'])) run(['install', '-y', '--no-install-recommends', ...decision.packages]);
    decision = plan(names, { ...facts, root: false });
  }
  if (decision.action === 'none') return 0;
  console.log(adviceLine(decision.packages));
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
