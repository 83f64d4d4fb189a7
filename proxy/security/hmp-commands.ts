// What a `human-monitor-command` line runs, in QMP's terms, so `--deny` sees through HMP. The table is
// QEMU 7.2's HMP command list (`help` on its monitor), each mapped to the QMP command(s) doing the same.

/**
 * HMP name (aliases as QEMU writes them, `cont|c`) → the QMP commands it amounts to. `[]`: it only reads
 * or prints (`info`, `help`, `x`). `null`: no QMP command does the same (`gdbserver`, `qemu-io`, port
 * I/O), so no `--deny` pattern can describe it; the gate refuses those whenever a `--deny` is in force.
 */
const HMP_TO_QMP: Record<string, readonly string[] | null> = {
  announce_self: ['announce-self'],
  balloon: ['balloon'],
  block_job_cancel: ['block-job-cancel'],
  block_job_complete: ['block-job-complete'],
  block_job_pause: ['block-job-pause'],
  block_job_resume: ['block-job-resume'],
  block_job_set_speed: ['block-job-set-speed'],
  block_resize: ['block_resize'],
  block_set_io_throttle: ['block_set_io_throttle'],
  block_stream: ['block-stream'],
  boot_set: null,
  calc_dirty_rate: ['calc-dirty-rate'],
  cancel_vcpu_dirty_limit: ['cancel-vcpu-dirty-limit'],
  change: ['blockdev-change-medium', 'change-vnc-password'],
  'chardev-add': ['chardev-add'],
  'chardev-change': ['chardev-change'],
  'chardev-remove': ['chardev-remove'],
  'chardev-send-break': ['chardev-send-break'],
  client_migrate_info: ['client_migrate_info'],
  closefd: ['closefd'],
  commit: ['block-commit'],
  'cont|c': ['cont'],
  cpu: [],
  delvm: ['snapshot-delete'],
  device_add: ['device_add'],
  device_del: ['device_del'],
  drive_add: ['blockdev-add'],
  drive_backup: ['drive-backup'],
  drive_del: ['blockdev-del'],
  drive_mirror: ['drive-mirror'],
  'dump-guest-memory': ['dump-guest-memory'],
  dumpdtb: null,
  eject: ['eject'],
  exit_preconfig: ['x-exit-preconfig'],
  expire_password: ['expire_password'],
  gdbserver: null,
  getfd: ['getfd'],
  gpa2hpa: [],
  gpa2hva: [],
  gva2gpa: [],
  'help|?': [],
  hostfwd_add: null,
  hostfwd_remove: null,
  i: null,
  info: [],
  loadvm: ['snapshot-load'],
  log: null,
  logfile: null,
  mce: null,
  memsave: ['memsave'],
  migrate: ['migrate'],
  migrate_cancel: ['migrate_cancel'],
  migrate_continue: ['migrate-continue'],
  migrate_incoming: ['migrate-incoming'],
  migrate_pause: ['migrate-pause'],
  migrate_recover: ['migrate-recover'],
  migrate_set_capability: ['migrate-set-capabilities'],
  migrate_set_parameter: ['migrate-set-parameters'],
  migrate_start_postcopy: ['migrate-start-postcopy'],
  mouse_button: ['input-send-event'],
  mouse_move: ['input-send-event'],
  mouse_set: ['input-send-event'],
  nbd_server_add: ['nbd-server-add'],
  nbd_server_remove: ['nbd-server-remove'],
  nbd_server_start: ['nbd-server-start'],
  nbd_server_stop: ['nbd-server-stop'],
  netdev_add: ['netdev_add'],
  netdev_del: ['netdev_del'],
  nmi: ['inject-nmi'],
  o: null,
  object_add: ['object-add'],
  object_del: ['object-del'],
  pcie_aer_inject_error: null,
  pmemsave: ['pmemsave'],
  'print|p': [],
  'qemu-io': null,
  'qom-get': ['qom-get'],
  'qom-list': ['qom-list'],
  'qom-set': ['qom-set'],
  'quit|q': ['quit'],
  replay_break: ['replay-break'],
  replay_delete_break: ['replay-delete-break'],
  replay_seek: ['replay-seek'],
  ringbuf_read: ['ringbuf-read'],
  ringbuf_write: ['ringbuf-write'],
  savevm: ['snapshot-save'],
  screendump: ['screendump'],
  sendkey: ['send-key'],
  set_link: ['set_link'],
  set_password: ['set_password'],
  set_vcpu_dirty_limit: ['set-vcpu-dirty-limit'],
  singlestep: null,
  snapshot_blkdev: ['blockdev-snapshot-sync'],
  snapshot_blkdev_internal: ['blockdev-snapshot-internal-sync'],
  snapshot_delete_blkdev_internal: ['blockdev-snapshot-delete-internal-sync'],
  stopcapture: null,
  'stop|s': ['stop'],
  sum: [],
  'sync-profile': null,
  system_powerdown: ['system_powerdown'],
  system_reset: ['system_reset'],
  system_wakeup: ['system_wakeup'],
  'trace-event': ['trace-event-set-state'],
  watchdog_action: ['watchdog-set-action'],
  wavcapture: null,
  x: [],
  x_colo_lost_heartbeat: ['x-colo-lost-heartbeat'],
  xp: [],
};

const byName = new Map<string, readonly string[] | null>();
for (const [names, qmp] of Object.entries(HMP_TO_QMP)) for (const n of names.split('|')) byName.set(n, qmp);

export type HmpMeaning =
  | { kind: 'empty' }
  | { kind: 'known'; name: string; qmp: readonly string[] }
  | { kind: 'unchecked'; name: string };

/**
 * The HMP command a line runs, read as QEMU 7.2's monitor reads it (monitor/hmp.c: leading white space
 * skipped, the name ends at white space or `/`, as in `x/4x`; exact, case-sensitive match against the
 * names and their aliases). A name not in the table is unchecked too: QEMU 7.2 would only answer
 * "unknown command", and a later QEMU's new command is not waved through.
 */
export function hmpMeaning(line: string): HmpMeaning {
  const name = /^[ \t\n\r\f\v]*([^ \t\n\r\f\v/]*)/.exec(line)?.[1] ?? '';
  if (name === '') return { kind: 'empty' };
  const qmp = byName.get(name);
  return qmp === null || qmp === undefined ? { kind: 'unchecked', name } : { kind: 'known', name, qmp };
}
