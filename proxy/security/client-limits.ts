// `--max-clients` and `--max-clients-per-vm`: checked before a WebSocket upgrade, answered with 503.
import type { ConsoleHub } from '../hub/console-hub.ts';

export interface ClientLimits {
  maxClients: number;
  maxClientsPerVm: number;
}

/** Why one more client of this VM would be one too many, or null. Counts every transport. */
export function clientLimitProblem(hub: ConsoleHub, vmName: string, limits: ClientLimits): string | null {
  if (hub.clientCount >= limits.maxClients)
    return `too many clients: the console serves at most ${limits.maxClients} (--max-clients)`;
  const vm = hub.get(vmName);
  if (vm && vm.clientCount >= limits.maxClientsPerVm)
    return `too many clients for VM "${vmName}": at most ${limits.maxClientsPerVm} (--max-clients-per-vm)`;
  return null;
}
