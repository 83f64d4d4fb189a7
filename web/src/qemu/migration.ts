// QEMU's outgoing migration: `query-migrate`, and which statuses mean it is still under way (the events
// that drive it are in the event catalogue).

/** QAPI MigrationStatus. */
export type MigrationStatus =
  | 'none'
  | 'setup'
  | 'cancelling'
  | 'cancelled'
  | 'active'
  | 'postcopy-active'
  | 'postcopy-paused'
  | 'postcopy-recover'
  | 'completed'
  | 'failed'
  | 'colo'
  | 'pre-switchover'
  | 'device'
  | 'wait-unplug';

/** `query-migrate`'s `ram` (MigrationStats); byte counts are bytes, `mbps` is megabits per second. */
export interface MigrationRamStats {
  transferred: number;
  remaining: number;
  total: number;
  duplicate: number;
  normal: number;
  'normal-bytes': number;
  'dirty-pages-rate': number;
  mbps: number;
  /** Each dirty-page sync starts a pass over RAM: the count MIGRATION_PASS reports. */
  'dirty-sync-count': number;
  'page-size': number;
  'pages-per-second'?: number;
}

/** `query-migrate` (MigrationInfo); times are milliseconds. Empty (`{}`) before any migration. */
export interface MigrationInfo {
  status?: MigrationStatus;
  ram?: MigrationRamStats;
  'total-time'?: number;
  'expected-downtime'?: number;
  downtime?: number;
  'setup-time'?: number;
  'error-desc'?: string;
}

/** Statuses in which the migration is under way: its figures move, and migrate_cancel applies. */
export const MIGRATION_UNDER_WAY: readonly MigrationStatus[] = [
  'setup',
  'active',
  'pre-switchover',
  'device',
  'wait-unplug',
  'postcopy-active',
  'postcopy-paused',
  'postcopy-recover',
  'cancelling',
];

export function migrationUnderWay(status: MigrationStatus | undefined): boolean {
  return status !== undefined && MIGRATION_UNDER_WAY.includes(status);
}

/** migrate_cancel's confirmation, naming the VM. */
export function migrationCancelConfirmation(vm: string) {
  return {
    title: `Cancel the migration of ${vm}?`,
    confirmLabel: `Cancel migration of ${vm}`,
    consequence:
      'QEMU stops sending the VM and keeps running it here; the destination QEMU is left without a VM.',
    command: 'migrate_cancel',
  };
}

/**
 * The qmp-shell line that starts a migration: the composer stays the way to run it. `migrate` only
 * starts it; MIGRATION events (capability `events`) then report each status change.
 */
export function migrateCommandLine(uri: string): string {
  return `migrate uri=${uri}`;
}
