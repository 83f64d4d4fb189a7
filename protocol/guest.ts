// The console's view into the guest: screen, serial log, I/O history, NICs (the proxy keeps them; every
// tab reads the same). Shared by the proxy and the SPA.

/** `GET /api/vms/NAME/screen.png` (operator or viewer): the screen now, at most one dump per VM a second. */
export const screenPath = (vm: string): string => `/api/vms/${encodeURIComponent(vm)}/screen.png`;

/** Response header of screen.png: the ISO time QEMU dumped the picture. */
export const SCREEN_TAKEN_HEADER = 'x-screen-taken';

/** A refused screen.png answers 409 with this body; `no-display` when QEMU has no console to dump. */
export interface ScreenProblem {
  error: string;
  code: 'no-display' | 'not-connected' | 'unreadable';
}

/** `GET /api/vms/NAME/serial/DEVICE?after=OFFSET`: the ringbuf chardev's output kept by the console. */
export const serialPath = (vm: string, device: string): string =>
  `/api/vms/${encodeURIComponent(vm)}/serial/${encodeURIComponent(device)}`;

export interface SerialChunk {
  /** Byte offset of `data`'s first byte. */
  start: number;
  /** Offset after the last byte: pass it as `after=` next time. */
  end: number;
  /** base64 of the bytes. */
  data: string;
  /** Bytes after the `after` asked for that are no longer kept. */
  dropped: number;
}

/** `GET /api/vms/NAME/stats`: what the console sampled over the last minutes. */
export const statsPath = (vm: string): string => `/api/vms/${encodeURIComponent(vm)}/stats`;

/** One sample of one block device: rates over the interval that ended at `t`. */
export interface BlockSample {
  /** Epoch ms. */
  t: number;
  readBytesPerS: number;
  writeBytesPerS: number;
  readOpsPerS: number;
  writeOpsPerS: number;
  /** Failed operations during the interval (counts, not rates). */
  failedReads: number;
  failedWrites: number;
}

/** A block device's series besides time, as `BlockHistory` names its columns. */
export const BLOCK_SERIES = [
  'readBytesPerS',
  'writeBytesPerS',
  'readOpsPerS',
  'writeOpsPerS',
  'failedReads',
  'failedWrites',
] as const;
export type BlockSeries = (typeof BLOCK_SERIES)[number];

/**
 * One device's samples as columns, uPlot's own shape (`[xs, ...ys]`): sample i is index i of every
 * array. A row per sample would repeat every key name in every sample of a ten-minute window.
 */
export type BlockHistory = {
  /** `device` (the BlockBackend name), else the qdev path or node name. */
  device: string;
  /** Epoch ms the times count from (the first sample's end; 0 with no samples). */
  since: number;
  /**
   * When each interval ended, in seconds after `since` to the tenth (uPlot's x, less `since`): the
   * window's times in epoch ms would be most of the answer.
   */
  t: number[];
} & Record<BlockSeries, number[]>;

export interface VmStatsHistory {
  intervalMs: number;
  windowMs: number;
  block: BlockHistory[];
  /**
   * `query-stats` (vCPU and VM statistics): null when this QEMU offers none for its accelerator
   * (QEMU 7.2 has providers for KVM only: under TCG the answer is empty).
   */
  vmStats: { t: number; values: Record<string, number> }[] | null;
  /** Why `vmStats` is null, for people. */
  vmStatsNote: string | null;
}

/** `GET /api/vms/NAME/nics`. */
export const nicsPath = (vm: string): string => `/api/vms/${encodeURIComponent(vm)}/nics`;

/** `POST /api/vms/NAME/nics/ID/link` with `{"up": bool}` (operator): QMP's `set_link`, audited. */
export const nicLinkPath = (vm: string, nic: string): string =>
  `${nicsPath(vm)}/${encodeURIComponent(nic)}/link`;

export interface NicInfo {
  /** The NIC's id (`-device ...,id=`) or QOM path for anonymous ones: `set_link`'s `name`. */
  name: string;
  qomPath: string;
  /** QOM type: `e1000`, `virtio-net-pci`, ... */
  model: string;
  mac: string | null;
  netdev: string | null;
  /**
   * `up` / `down` as last set through this console; `unknown` when it has not been set here: QEMU 7.2
   * reports a NIC's link state nowhere (it starts up unless the NIC was created down).
   */
  link: 'up' | 'down' | 'unknown';
  /** `query-rx-filter` for NICs that report one (virtio-net), else null. */
  rxFilter: {
    promiscuous: boolean;
    unicast: string;
    multicast: string;
    broadcastAllowed: boolean;
    multicastTable: string[];
    unicastTable: string[];
  } | null;
}

export interface NicList {
  nics: NicInfo[];
}

/** The screenshot taken when a panic's event arrived: `GET /api/events/SEQ/screen.png`. */
export const eventScreenPath = (seq: number): string => `/api/events/${seq}/screen.png`;
