// The VM page's panels, each with its own deep link: `/vms/NAME` (Overview) and `/vms/NAME/PATH`.
import { type VmSection, vmPath } from '../qemu/routes.ts';

export type VmInfoPanelId = 'overview' | 'block' | 'cpus' | 'memory' | 'chardev' | 'pci' | 'display' | 'qom';

export interface VmInfoPanel {
  id: VmInfoPanelId;
  /** The path below `/vms/NAME`; '' for the VM's first page. */
  path: VmSection;
  label: string;
}

export const VM_INFO_PANELS: readonly VmInfoPanel[] = [
  { id: 'overview', path: '', label: 'Overview' },
  { id: 'block', path: 'block', label: 'Block devices' },
  { id: 'cpus', path: 'cpus', label: 'CPUs' },
  { id: 'memory', path: 'memory', label: 'Memory' },
  { id: 'chardev', path: 'chardev', label: 'Character devices' },
  { id: 'pci', path: 'pci', label: 'PCI' },
  { id: 'display', path: 'display', label: 'Display' },
  { id: 'qom', path: 'qom', label: 'QOM' },
];

export function vmInfoPath(vm: string, panel: VmInfoPanelId = 'overview'): string {
  return vmPath(vm, VM_INFO_PANELS.find((p) => p.id === panel)?.path ?? '');
}
