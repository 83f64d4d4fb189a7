// Every page's address, built in one place: deep links, the section navigation and notifications agree.

/** The pages below `/vms/NAME`: '' is the VM's first page (Overview). */
export type VmSection =
  | ''
  | 'block'
  | 'cpus'
  | 'memory'
  | 'chardev'
  | 'pci'
  | 'display'
  | 'qom'
  | 'events'
  | 'composer';

/** Route patterns (wouter) for the app's pages. */
export const ROUTE_PATTERNS = {
  home: '/',
  events: '/events',
  vm: '/vms/:name/*?',
} as const;

/** `/`: every VM. */
export function homePath(): string {
  return ROUTE_PATTERNS.home;
}

/** `/events`: the event log of every VM. */
export function eventsPath(): string {
  return ROUTE_PATTERNS.events;
}

/** `/vms/NAME` or `/vms/NAME/SECTION`. */
export function vmPath(vm: string, section: VmSection = ''): string {
  return `/vms/${encodeURIComponent(vm)}${section ? `/${section}` : ''}`;
}
