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
  | 'composer'
  | 'jobs'
  | 'migration'
  | 'serial'
  | 'network';

/** Route patterns (wouter) for the app's pages. */
export const ROUTE_PATTERNS = {
  home: '/',
  events: '/events',
  /** The alerts page; `/alerts/ID` is the same page, scrolled to one alert. */
  alerts: '/alerts/:id?',
  audit: '/audit',
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

/** What the alerts page shows: open, acknowledged or (null) both; every VM's or (vm) one VM's. */
export interface AlertFilters {
  state: 'open' | 'acknowledged' | null;
  vm: string | null;
}

/** The alerts page's filters from its query string; unknown values mean "no filter". */
export function parseAlertFilters(search: string): AlertFilters {
  const sp = new URLSearchParams(search);
  const state = sp.get('state');
  return {
    state: state === 'open' || state === 'acknowledged' ? state : null,
    vm: sp.get('vm') || null,
  };
}

/** `/alerts?state=STATE&vm=NAME` (either left out when not given). */
export function alertsPath(filters: Partial<AlertFilters> = {}): string {
  const sp = new URLSearchParams();
  if (filters.state) sp.set('state', filters.state);
  if (filters.vm) sp.set('vm', filters.vm);
  const q = sp.toString();
  return q ? `/alerts?${q}` : '/alerts';
}

/** `/alerts/ID[?filters]`: the alerts page, scrolled to that alert and focusing it. */
export function alertPath(id: number, filters: Partial<AlertFilters> = {}): string {
  const [, query] = alertsPath(filters).split('?');
  return `/alerts/${id}${query ? `?${query}` : ''}`;
}

/** The alert id in an `/alerts/:id` path, or null when it is not one. */
export function alertIdParam(segment: string): number | null {
  return /^\d{1,15}$/.test(segment) ? Number(segment) : null;
}

/**
 * Where an "N open alerts" badge leads: straight to the alert when there is one, else to the open
 * alerts (of `vm`, when the badge is one VM's).
 */
export function openAlertsPath(openIds: readonly number[], vm?: string): string {
  return openIds.length === 1 ? alertPath(openIds[0]!) : alertsPath({ state: 'open', vm: vm ?? null });
}

/** `/audit`, or `/audit?vm=NAME`: the commands clients ran (operators only). */
export function auditPath(vm?: string | null): string {
  return vm ? `${ROUTE_PATTERNS.audit}?${new URLSearchParams({ vm })}` : ROUTE_PATTERNS.audit;
}

/** `/vms/NAME` or `/vms/NAME/SECTION`. */
export function vmPath(vm: string, section: VmSection = ''): string {
  return `/vms/${encodeURIComponent(vm)}${section ? `/${section}` : ''}`;
}

/** `/vms/NAME/composer?cmd=LINE`: the composer with a qmp-shell line ready to edit and send. */
export function composerPath(vm: string, line: string): string {
  return `${vmPath(vm, 'composer')}?${new URLSearchParams({ cmd: line })}`;
}

/**
 * The VM name in a `/vms/:name` path, decoded: vmPath encodes it (a fleet's `VM@HOST` becomes
 * `VM%40HOST`) and the router hands the segment over as it is in the URL.
 */
export function vmNameParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
