// The replies behind the VM-info panels, from QEMU's QAPI schema (as seen on QEMU 7.2). Only what the
// panels read is typed; the raw JSON view shows the rest. Optional members are optional here too.

/** `query-name` (NameInfo): `{}` when QEMU was started without `-name`. */
export interface NameInfo {
  name?: string;
}

/** `query-uuid` (UuidInfo): all zeroes when no `-uuid` was given. */
export interface UuidInfo {
  UUID: string;
}

/** `query-kvm` (KvmInfo). */
export interface KvmInfo {
  enabled: boolean;
  present: boolean;
}

/** `query-target` (TargetInfo). */
export interface TargetInfo {
  arch: string;
}

/** One entry of `query-machines` (MachineInfo); `is-current` exists from QEMU 8.0 on. */
export interface MachineInfo {
  name: string;
  alias?: string;
  'is-default'?: boolean;
  'is-current'?: boolean;
  'cpu-max': number;
  deprecated?: boolean;
}

/** `query-balloon` (BalloonInfo); fails with `DeviceNotActive` without a balloon device. */
export interface BalloonInfo {
  actual: number;
}

/** `query-hpet` (removed long ago): kept for a QEMU that still has it. */
export interface HpetInfo {
  enabled?: boolean;
  [key: string]: unknown;
}

/** One entry of `query-commands` (CommandInfo). */
export interface CommandInfo {
  name: string;
}

/** `query-block` (BlockInfo), one per BlockBackend. */
export interface BlockInfo {
  device: string;
  qdev?: string;
  type?: string;
  removable: boolean;
  locked: boolean;
  tray_open?: boolean;
  /** Only where the device keeps one (errors stop the VM): `ok` | `failed` | `nospace`. */
  'io-status'?: 'ok' | 'failed' | 'nospace';
  inserted?: BlockDeviceInfo;
}

export interface BlockDeviceInfo {
  file: string;
  'node-name'?: string;
  ro: boolean;
  drv: string;
  encrypted?: boolean;
  image?: { filename: string; format: string; 'virtual-size': number; 'actual-size'?: number };
}

/** `query-blockstats` (BlockStats), one per BlockBackend (or node with `query-nodes`). */
export interface BlockStats {
  device?: string;
  qdev?: string;
  'node-name'?: string;
  stats: BlockDeviceStats;
}

export interface BlockDeviceStats {
  rd_bytes: number;
  wr_bytes: number;
  rd_operations: number;
  wr_operations: number;
  flush_operations: number;
  failed_rd_operations?: number;
  failed_wr_operations?: number;
  failed_flush_operations?: number;
}

/** One entry of `query-cpus-fast` (CpuInfoFast). */
export interface CpuInfoFast {
  'cpu-index': number;
  'qom-path': string;
  'thread-id': number;
  target: string;
  props?: {
    'node-id'?: number;
    'socket-id'?: number;
    'die-id'?: number;
    'core-id'?: number;
    'thread-id'?: number;
  };
}

/** `query-memory-size-summary` (MemoryInfo), in bytes. */
export interface MemoryInfo {
  'base-memory': number;
  'plugged-memory'?: number;
}

/** One entry of `query-chardev` (ChardevInfo). */
export interface ChardevInfo {
  label: string;
  filename: string;
  'frontend-open': boolean;
}

/** One bus of `query-pci` (PciInfo). */
export interface PciBusInfo {
  bus: number;
  devices: PciDeviceInfo[];
}

export interface PciDeviceInfo {
  bus: number;
  slot: number;
  function: number;
  class_info: { class: number; desc?: string };
  id: { vendor: number; device: number; subsystem?: number; 'subsystem-vendor'?: number };
  irq?: number;
  irq_pin: number;
  qdev_id: string;
  regions: PciRegion[];
  pci_bridge?: { bus: { number: number; secondary: number; subordinate: number }; devices?: PciDeviceInfo[] };
}

export interface PciRegion {
  bar: number;
  type: 'io' | 'memory';
  address: number;
  size: number;
  prefetch?: boolean;
  mem_type_64?: boolean;
}

/** `query-vnc` (VncInfo). */
export interface VncInfo {
  enabled: boolean;
  host?: string;
  family?: string;
  service?: string;
  auth?: string;
  clients?: { host: string; service: string; family: string; websocket?: boolean; x509_dname?: string }[];
}

/** `query-spice` (SpiceInfo). */
export interface SpiceInfo {
  enabled: boolean;
  migrated: boolean;
  host?: string;
  port?: number;
  'tls-port'?: number;
  auth?: string;
  'mouse-mode': string;
  channels?: { host: string; port: string; family: string; 'channel-type': number; tls: boolean }[];
}

/** One entry of `qom-list` (ObjectPropertyInfo): `child<T>` and `link<T>` types point at objects. */
export interface ObjectPropertyInfo {
  name: string;
  type: string;
  description?: string;
  'default-value'?: unknown;
}
