// All VMs the console was configured with, by name. Nothing can add a VM at run time: no open relay.
import type { VmSummary } from '../../protocol/api.ts';
import type { Target } from '../qmp/target.ts';
import { VmHub, type VmHubOptions } from './vm-hub.ts';

export class Hub {
  private readonly vms = new Map<string, VmHub>();

  constructor(targets: Target[], options: VmHubOptions) {
    for (const target of targets) this.vms.set(target.name, new VmHub(target, options));
  }

  get(name: string): VmHub | undefined {
    return this.vms.get(name);
  }

  all(): VmHub[] {
    return [...this.vms.values()];
  }

  /** Told whenever one VM's summary changes (connection or run state). */
  onSummary(listener: (summary: VmSummary) => void): () => void {
    const offs = this.all().map((vm) => vm.onSummary(listener));
    return () => {
      for (const off of offs) off();
    };
  }

  summaries(): VmSummary[] {
    return this.all().map((vm) => vm.summary());
  }

  get clientCount(): number {
    let n = 0;
    for (const vm of this.vms.values()) n += vm.clientCount;
    return n;
  }

  start(): void {
    for (const vm of this.vms.values()) vm.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((vm) => vm.stop()));
  }
}
