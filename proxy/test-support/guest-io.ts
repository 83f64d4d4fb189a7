// A guest's doings driven from outside through HMP port I/O, as a guest's own driver would do them (QEMU
// counts device I/O only: `qemu-io` does not move query-blockstats, these do). For tests.

/** Runs one HMP command line (VmHub.execute bound to a VM, or any QMP client's execute). */
export type Hmp = (commandLine: string) => Promise<unknown>;

export function hmpVia(execute: (command: string, args: Record<string, unknown>) => Promise<unknown>): Hmp {
  return (commandLine) => execute('human-monitor-command', { 'command-line': commandLine });
}

/**
 * One ATA READ SECTORS (0x20) of one sector at LBA 0 on the primary IDE channel's master, then a software
 * reset (SRST on the device control port) so the next command is accepted without draining the data.
 * query-blockstats counts it as one read of 512 bytes.
 */
export async function ataReadSector(hmp: Hmp): Promise<void> {
  for (const [port, value] of [
    ['0x1f6', '0xe0'], // LBA mode, master
    ['0x1f2', '1'], // sector count
    ['0x1f3', '0'],
    ['0x1f4', '0'],
    ['0x1f5', '0'],
    ['0x1f7', '0x20'], // READ SECTORS
  ] as const)
    await hmp(`o /b ${port} ${value}`);
  await hmp('o /b 0x3f6 4');
  await hmp('o /b 0x3f6 0');
}

/** The 16550 UART of COM1 sends these bytes (its transmit register is I/O port 0x3f8). */
export async function uartSend(hmp: Hmp, text: string): Promise<void> {
  for (const byte of Buffer.from(text)) await hmp(`o /b 0x3f8 ${byte}`);
}

/** The pvpanic device's panic bit (I/O port 0x505): GUEST_PANICKED, then `guest-panicked` with panic=pause. */
export function pvpanic(hmp: Hmp): Promise<unknown> {
  return hmp('o /b 0x505 1');
}
