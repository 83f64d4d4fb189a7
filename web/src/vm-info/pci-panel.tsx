// PCI: `query-pci` as a tree of buses, devices and the buses behind bridges. Loaded on demand.
import { useQuery } from '@tanstack/react-query';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { formatBytes, hex } from './format.ts';
import { PanelFrame } from './panel-frame.tsx';
import type { PciDeviceInfo, PciRegion } from './qapi.ts';
import { vmInfoQueries } from './queries.ts';

/** Vendors a QEMU guest commonly shows; the rest are shown by id only. */
const VENDORS: Readonly<Record<number, string>> = {
  32902: 'Intel',
  6900: 'Red Hat (virtio)',
  6966: 'Red Hat (QEMU)',
  4660: 'QEMU',
  4130: 'AMD',
  4332: 'Realtek',
  5549: 'VMware',
  4115: 'Cirrus Logic',
  4096: 'LSI Logic',
};

/** `00:01.1`, as lspci prints a bus/slot/function address. */
export function pciAddress(d: Pick<PciDeviceInfo, 'bus' | 'slot' | 'function'>): string {
  return `${hex(d.bus, 2)}:${hex(d.slot, 2)}.${d.function}`;
}

export function pciIds(d: PciDeviceInfo): string {
  return `${hex(d.id.vendor, 4)}:${hex(d.id.device, 4)}`;
}

export function PciPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const pci = useQuery(whenAvailable(vmInfoQueries.pci(vm), available('query-pci')));
  return (
    <PanelFrame
      id="pci"
      title="PCI"
      connected={connected}
      sources={[{ command: 'query-pci', query: pci, available: available('query-pci') }]}
    >
      {() =>
        pci.data && pci.data.length > 0 ? (
          <ul className="tree" aria-label="PCI buses">
            {pci.data.map((bus) => (
              <li key={bus.bus}>
                <span className="tree-label">Bus {hex(bus.bus, 2)}</span>
                <DeviceList devices={bus.devices} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No PCI buses.</p>
        )
      }
    </PanelFrame>
  );
}

function DeviceList({ devices }: { devices: readonly PciDeviceInfo[] }) {
  if (devices.length === 0) return <p className="muted small">no devices</p>;
  return (
    <ul>
      {devices.map((d) => (
        <li key={pciAddress(d)}>
          <PciDevice device={d} />
        </li>
      ))}
    </ul>
  );
}

function PciDevice({ device: d }: { device: PciDeviceInfo }) {
  const vendor = VENDORS[d.id.vendor];
  const bridge = d.pci_bridge;
  return (
    <>
      <details className="tree-node">
        <summary>
          <code>{pciAddress(d)}</code> {d.class_info.desc ?? `class ${hex(d.class_info.class, 4)}`}{' '}
          <span className="muted">
            [{pciIds(d)}]{vendor ? ` ${vendor}` : null}
            {d.qdev_id ? ` · id ${d.qdev_id}` : null}
          </span>
        </summary>
        <dl className="facts compact">
          <div>
            <dt>Class</dt>
            <dd>
              <code>{hex(d.class_info.class, 4)}</code>
            </dd>
          </div>
          <div>
            <dt>Subsystem</dt>
            <dd>
              {d.id['subsystem-vendor'] !== undefined && d.id.subsystem !== undefined ? (
                <code>
                  {hex(d.id['subsystem-vendor'], 4)}:{hex(d.id.subsystem, 4)}
                </code>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Interrupt</dt>
            <dd>
              {d.irq_pin ? `pin ${'ABCD'[d.irq_pin - 1] ?? d.irq_pin}` : 'none'}
              {d.irq !== undefined ? `, IRQ ${d.irq}` : null}
            </dd>
          </div>
          <div>
            <dt>Device id</dt>
            <dd>{d.qdev_id ? <code>{d.qdev_id}</code> : <span className="muted">none</span>}</dd>
          </div>
        </dl>
        {d.regions.length > 0 ? (
          <ul className="regions" aria-label={`${pciAddress(d)} regions`}>
            {d.regions.map((r) => (
              <li key={r.bar}>{describeRegion(r)}</li>
            ))}
          </ul>
        ) : null}
      </details>
      {bridge ? (
        <div className="tree-bridge">
          <span className="tree-label">
            Bus {hex(bridge.bus.secondary, 2)} behind {pciAddress(d)}
          </span>
          <DeviceList devices={bridge.devices ?? []} />
        </div>
      ) : null}
    </>
  );
}

export function describeRegion(r: PciRegion): string {
  const where = r.address === -1 || r.address >= 2 ** 53 ? 'unassigned' : `at 0x${r.address.toString(16)}`;
  const flags = [r.mem_type_64 ? '64-bit' : null, r.prefetch ? 'prefetchable' : null].filter(Boolean);
  return `BAR${r.bar}: ${r.type === 'io' ? 'I/O' : 'memory'} ${formatBytes(r.size)} ${where}${
    flags.length ? ` (${flags.join(', ')})` : ''
  }`;
}
