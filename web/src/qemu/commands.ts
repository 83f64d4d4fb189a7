// The command catalogue: what the console's buttons and the composer know about QMP commands — a
// button's name, how dangerous a command is, what it does to the VM, and how to ask before running it.
// Keyed on command names, which QEMU keeps stable.
import type { JsonObject } from '../../../protocol/qmp.ts';

/**
 * `none`: runs straight away. `reversible`: changes the VM, and one command undoes it (a button for it
 * sits next to the control, so the run controls do not ask; a typed command does). `destructive`:
 * cannot be undone (always asks).
 */
export type Danger = 'none' | 'reversible' | 'destructive';

export interface CommandFacts {
  /** The name of the console's button for it, if it has one. */
  label?: string;
  danger: Danger;
  /** What running it does to the VM, in a sentence. */
  consequence?: string;
  /** Offered before rarer commands with the same prefix when completing a name. */
  everyday?: boolean;
  /** Takes arguments the schema does not list (`device_add` passes them to the device as properties). */
  openArguments?: boolean;
}

/** HMP through QMP: any HMP command line, outside the schema's checks. */
export const HMP_COMMAND = 'human-monitor-command';

export const COMMANDS: Readonly<Record<string, CommandFacts>> = {
  stop: {
    label: 'Pause',
    danger: 'reversible',
    consequence: 'The guest is paused until someone runs cont.',
    everyday: true,
  },
  cont: {
    label: 'Resume',
    danger: 'none',
    // `cont` after an error stop retries the failed request (QEMU's qmp_cont resets every io-status).
    consequence:
      'QEMU runs the VM again and retries any failed disk I/O; a disk that still fails stops it again.',
    everyday: true,
  },
  system_reset: {
    label: 'Reset',
    danger: 'destructive',
    consequence:
      'The guest restarts at once, as if its reset button were pressed; what it has not written to disk is lost.',
    everyday: true,
  },
  system_powerdown: {
    label: 'Power down',
    danger: 'destructive',
    consequence: 'QEMU presses the ACPI power button; the guest decides whether and how to shut down.',
    everyday: true,
  },
  quit: {
    label: 'Quit',
    danger: 'destructive',
    consequence:
      'QEMU exits at once: the guest stops without shutting down, and the VM is gone until someone starts QEMU again.',
    everyday: true,
  },
  device_add: { danger: 'none', everyday: true, openArguments: true },
  device_del: {
    danger: 'destructive',
    consequence: 'The device is unplugged from the guest.',
    everyday: true,
  },
  'blockdev-add': { danger: 'none', everyday: true },
  'blockdev-del': { danger: 'destructive', consequence: 'The block node is removed.', everyday: true },
  'blockdev-remove-medium': { danger: 'destructive', consequence: 'The medium is removed from the drive.' },
  eject: { danger: 'destructive', consequence: 'The medium is ejected from the drive.' },
  netdev_del: { danger: 'destructive', consequence: 'The network backend is removed.' },
  'object-del': { danger: 'destructive', consequence: 'The QOM object is removed.' },
  'chardev-remove': { danger: 'destructive', consequence: 'The character device is removed.' },
  block_resize: { danger: 'destructive', consequence: 'The disk changes size under the guest.' },
  'inject-nmi': { danger: 'destructive', consequence: 'An NMI is injected into the guest.' },
  [HMP_COMMAND]: {
    danger: 'destructive',
    consequence: 'HMP commands can do anything to the VM, outside the schema’s checks.',
    everyday: true,
  },
  'query-status': { danger: 'none', everyday: true },
  'query-block': { danger: 'none', everyday: true },
  'query-blockstats': { danger: 'none', everyday: true },
  'query-pci': { danger: 'none', everyday: true },
  'query-cpus-fast': { danger: 'none', everyday: true },
  'query-version': { danger: 'none', everyday: true },
  'query-name': { danger: 'none', everyday: true },
  'query-commands': { danger: 'none', everyday: true },
  'query-machines': { danger: 'none', everyday: true },
  'query-named-block-nodes': { danger: 'none', everyday: true },
  'query-chardev': { danger: 'none', everyday: true },
  'query-migrate': { danger: 'none', everyday: true },
  'query-balloon': { danger: 'none', everyday: true },
  'query-vnc': { danger: 'none', everyday: true },
  'query-kvm': { danger: 'none', everyday: true },
  'qom-list': { danger: 'none', everyday: true },
  'qom-get': { danger: 'none', everyday: true },
  'qom-set': { danger: 'none', everyday: true },
};

/** Migration commands all change or move the running VM. */
const MIGRATION: CommandFacts = {
  danger: 'destructive',
  consequence: 'Migration settings or a migration affect the running VM.',
};

const NOTHING_KNOWN: CommandFacts = { danger: 'none' };

/** What the catalogue knows of a command (`danger: 'none'` and nothing else for the rest). */
export function commandFacts(command: string): CommandFacts {
  if (Object.hasOwn(COMMANDS, command)) return COMMANDS[command]!;
  if (command.startsWith('migrate')) return MIGRATION;
  return NOTHING_KNOWN;
}

/** The run-state controls, in the order the VM page shows them. */
export const RUN_CONTROL_COMMANDS = ['stop', 'cont', 'system_reset', 'system_powerdown', 'quit'] as const;
export type RunControlCommand = (typeof RUN_CONTROL_COMMANDS)[number];

/** HMP commands that only read: `info …` and `help`. */
const READ_ONLY_HMP = /^\s*(info|help|\?)(\s|$)/;

/**
 * Why a typed command needs a confirmation, in words; null when it can run straight away. Inside a
 * transaction the actions are block operations and are not asked about.
 */
export function confirmationReason(req: { execute: string; arguments?: JsonObject }): string | null {
  if (req.execute === HMP_COMMAND) {
    const line = req.arguments?.['command-line'];
    if (typeof line === 'string' && READ_ONLY_HMP.test(line)) return null;
  }
  const facts = commandFacts(req.execute);
  return facts.danger === 'none' ? null : (facts.consequence ?? null);
}

/** The words of a confirmation dialog. */
export interface Confirmation {
  title: string;
  confirmLabel: string;
}

/** For one of the console's buttons: "Reset demo?" / "Reset demo". */
export function buttonConfirmation(command: string, vm: string): Confirmation {
  const label = commandFacts(command).label ?? command;
  return { title: `${label} ${vm}?`, confirmLabel: `${label} ${vm}` };
}

/** For a typed command: "Run quit on demo?" / "Run quit on demo". */
export function lineConfirmation(command: string, vm: string): Confirmation {
  return { title: `Run ${command} on ${vm}?`, confirmLabel: `Run ${command} on ${vm}` };
}
