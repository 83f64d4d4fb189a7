// Types for system-packages.mjs (plain Node, no build step), used by proxy/qemu/system-packages.test.ts.

export type NeedName = 'qemu' | 'chromium' | 'websockify' | 'prometheus' | 'alertmanager';

export const NEEDS: Record<NeedName, { program: string; pkg: string }>;

export function isInstalled(program: string, pathEnv?: string): boolean;

export interface Facts {
  installed: (program: string) => boolean;
  root: boolean;
  apt: boolean;
}

export type Plan =
  | { action: 'none' }
  | { action: 'install' | 'advise'; packages: string[] }
  | { action: 'unknown'; names: string[] };

export function plan(names: string[], facts: Facts): Plan;

export function adviceLine(packages: string[]): string;
