// A VM's NICs from QOM (`/machine/peripheral` and `/machine/peripheral-anon`: devices with `mac` and
// `netdev` properties are NICs), their rx filters from `query-rx-filter` (virtio-net reports one), and the
// link state as this console last set it: QEMU 7.2 has no query for a NIC's link.
import type { NicInfo } from '../../protocol/guest.ts';
import type { ExecuteOn } from './screen-capture.ts';

interface QomProperty {
  name: string;
  type: string;
}

interface RxFilter {
  name: string;
  promiscuous: boolean;
  unicast: string;
  multicast: string;
  'broadcast-allowed': boolean;
  'main-mac': string;
  'unicast-table': string[];
  'multicast-table': string[];
}

const PERIPHERAL_ROOTS = ['/machine/peripheral', '/machine/peripheral-anon'];

export class NicBook {
  /** `[vm, nic]` → up, as set through the console since the VM's QEMU connected. */
  private readonly links = new Map<string, boolean>();

  constructor(private readonly execute: ExecuteOn) {}

  async list(vm: string): Promise<NicInfo[]> {
    const filters = await this.execute(vm, 'query-rx-filter').then(
      (r) => r as RxFilter[],
      () => [] as RxFilter[],
    );
    const nics: NicInfo[] = [];
    for (const root of PERIPHERAL_ROOTS) {
      const children = await this.execute(vm, 'qom-list', { path: root }).then(
        (r) => (r as QomProperty[]).filter((p) => p.type.startsWith('child<')),
        () => [] as QomProperty[],
      );
      for (const child of children) {
        const qomPath = `${root}/${child.name}`;
        const props = (await this.execute(vm, 'qom-list', { path: qomPath })) as QomProperty[];
        const names = new Set(props.map((p) => p.name));
        if (!names.has('mac') || !names.has('netdev')) continue;
        // Only these two string properties are read: qom-get can read secrets elsewhere.
        const mac = await this.getString(vm, qomPath, 'mac');
        const netdev = await this.getString(vm, qomPath, 'netdev');
        const anonymous = root.endsWith('-anon');
        const filter = filters.find((f) =>
          anonymous ? mac !== null && f['main-mac'] === mac : f.name === child.name,
        );
        const name = anonymous ? (filter?.name ?? qomPath) : child.name;
        const up = this.links.get(JSON.stringify([vm, name]));
        nics.push({
          name,
          qomPath,
          model: child.type.slice('child<'.length, -1),
          mac,
          netdev,
          link: up === undefined ? 'unknown' : up ? 'up' : 'down',
          rxFilter: filter
            ? {
                promiscuous: filter.promiscuous,
                unicast: filter.unicast,
                multicast: filter.multicast,
                broadcastAllowed: filter['broadcast-allowed'],
                unicastTable: filter['unicast-table'],
                multicastTable: filter['multicast-table'],
              }
            : null,
        });
      }
    }
    return nics;
  }

  /** Runs `set_link` and remembers the state it set. */
  async setLink(vm: string, name: string, up: boolean): Promise<void> {
    await this.execute(vm, 'set_link', { name, up });
    this.links.set(JSON.stringify([vm, name]), up);
  }

  /** The VM's QEMU (re)connected: a new QEMU starts with every link as its command line made it. */
  forget(vm: string): void {
    for (const key of [...this.links.keys()])
      if ((JSON.parse(key) as string[])[0] === vm) this.links.delete(key);
  }

  private async getString(vm: string, path: string, property: string): Promise<string | null> {
    const v = await this.execute(vm, 'qom-get', { path, property }).catch(() => null);
    return typeof v === 'string' && v !== '' ? v : null;
  }
}
