// Commands that change or end the VM ask first. Keyed on command names, which are stable.
import type { QmpRequest } from './qmp-shell-syntax.ts';
import { HMP_COMMAND } from './qmp-shell-syntax.ts';

const CONSEQUENCES: Readonly<Record<string, string>> = {
  quit: 'QEMU exits at once: the guest is not shut down, it is gone.',
  system_reset: 'The guest is reset, like pressing the reset button: unsaved work in it is lost.',
  system_powerdown: 'The guest is asked to power off (ACPI power button).',
  stop: 'The guest is paused until someone runs cont.',
  device_del: 'The device is unplugged from the guest.',
  'blockdev-del': 'The block node is removed.',
  'blockdev-remove-medium': 'The medium is removed from the drive.',
  eject: 'The medium is ejected from the drive.',
  netdev_del: 'The network backend is removed.',
  'object-del': 'The QOM object is removed.',
  'chardev-remove': 'The character device is removed.',
  block_resize: 'The disk changes size under the guest.',
  'inject-nmi': 'An NMI is injected into the guest.',
};

/** HMP commands that only read: `info …` and `help`. */
const READ_ONLY_HMP = /^\s*(info|help|\?)(\s|$)/;

/**
 * Why this command needs a confirmation, in words; null when it can run straight away.
 * Inside a transaction the actions are block operations and are not asked about.
 */
export function confirmationReason(req: QmpRequest): string | null {
  const name = req.execute;
  if (Object.hasOwn(CONSEQUENCES, name)) return CONSEQUENCES[name] ?? null;
  if (name.startsWith('migrate')) return 'Migration settings or a migration affect the running VM.';
  if (name === HMP_COMMAND) {
    const line = req.arguments?.['command-line'];
    if (typeof line === 'string' && READ_ONLY_HMP.test(line)) return null;
    return 'HMP commands can do anything to the VM, outside the schema’s checks.';
  }
  return null;
}
