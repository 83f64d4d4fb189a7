// What an e2e test needs to make a VM fail for real: a direct QMP client on the VM's second monitor
// (the ground truth, beside the console), an event storm on a failing disk, the console's API as JSON.
import type { VmSummary } from '../../protocol/api.ts';
import { connectQmp, type QmpSocketClient } from '../../proxy/test-support/qmp-socket-client.ts';
import { expect, type VmConsole } from './fixtures.ts';

/**
 * A direct client on the VM's second monitor, once the console's own session is up (QEMU sends events
 * only to negotiated monitors: one raised before the console negotiates is not the console's to keep).
 */
export async function direct(c: VmConsole, vm: string): Promise<QmpSocketClient> {
  await expect
    .poll(async () => (await api<VmSummary[]>(c, '/api/vms')).find((v) => v.name === vm)?.state)
    .toBe('connected');
  const path = c.qemu[vm]?.secondMonitorPath;
  if (!path) throw new Error(`${vm} has no second monitor`);
  const client = await connectQmp(path);
  await client.negotiate();
  return client;
}

/**
 * A real event storm: `cont` → RESUME, BLOCK_IO_ERROR (SeaBIOS reading the failing disk), STOP; after each
 * STOP, `cont` again. Resolves after `rounds` STOPs.
 */
export function storm(qmp: QmpSocketClient, rounds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = rounds;
    const off = qmp.onEvent((e) => {
      if (e.event !== 'STOP') return;
      if (--left > 0) qmp.execute('cont').catch(reject);
      else {
        off();
        resolve();
      }
    });
    qmp.execute('cont').catch(reject);
  });
}

export async function api<T>(c: VmConsole, path: string): Promise<T> {
  const res = await c.console.api(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}
