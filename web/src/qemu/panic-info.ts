// GUEST_PANICKED / GUEST_CRASHLOADED `info` (QAPI GuestPanicInformation) in plain words: Hyper-V's five
// crash parameters (arg1 is Windows' bug check code) and s390's panic reason.
import type { Json } from '../../../protocol/qmp.ts';

export interface PanicFact {
  label: string;
  value: string;
}

/** Windows bug check codes an operator meets most, by value of Hyper-V's arg1. */
const BUGCHECKS: Record<number, string> = {
  10: 'IRQL_NOT_LESS_OR_EQUAL',
  30: 'KMODE_EXCEPTION_NOT_HANDLED',
  59: 'SYSTEM_SERVICE_EXCEPTION',
  80: 'PAGE_FAULT_IN_NONPAGED_AREA',
  123: 'INACCESSIBLE_BOOT_DEVICE',
  126: 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED',
  127: 'UNEXPECTED_KERNEL_MODE_TRAP',
  159: 'DRIVER_POWER_STATE_FAILURE',
  209: 'DRIVER_IRQL_NOT_LESS_OR_EQUAL',
  239: 'CRITICAL_PROCESS_DIED',
  257: 'CLOCK_WATCHDOG_TIMEOUT',
  307: 'DPC_WATCHDOG_VIOLATION',
  313: 'KERNEL_SECURITY_CHECK_FAILURE',
};

/** QAPI S390CrashReason. */
const S390_REASONS: Record<string, string> = {
  unknown: 'unknown',
  'disabled-wait': 'the CPU entered a disabled wait (the kernel stopped itself)',
  'extint-loop': 'an external interrupt loop',
  'pgmint-loop': 'a program interrupt loop',
  'opint-loop': 'an operation exception loop',
};

const hex = (v: Json | undefined): string =>
  typeof v === 'number' ? `0x${v.toString(16).padStart(8, '0')}` : 'not given';

/** The facts of a panic's `info`; [] when QEMU gave none (pvpanic and most guests give none). */
export function panicFacts(info: Json | undefined): PanicFact[] {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return [];
  switch (info.type) {
    case 'hyper-v': {
      const code = typeof info.arg1 === 'number' ? info.arg1 : null;
      const name = code !== null ? BUGCHECKS[code] : undefined;
      return [
        { label: 'Panic reported by', value: 'Hyper-V crash MSRs (a Windows guest)' },
        { label: 'Bug check', value: `${hex(info.arg1)}${name ? ` (${name})` : ''}` },
        ...(['arg2', 'arg3', 'arg4', 'arg5'] as const).map((k, i) => ({
          label: `Parameter ${i + 1}`,
          value: hex(info[k]),
        })),
      ];
    }
    case 's390':
      return [
        { label: 'Panic reported by', value: 's390 CPU' },
        {
          label: 'Reason',
          value: typeof info.reason === 'string' ? (S390_REASONS[info.reason] ?? info.reason) : 'not given',
        },
        { label: 'Core', value: typeof info.core === 'number' ? String(info.core) : 'not given' },
        { label: 'PSW mask', value: hex(info['psw-mask']) },
        { label: 'PSW address', value: hex(info['psw-addr']) },
      ];
    default:
      return [{ label: 'Panic information', value: JSON.stringify(info) }];
  }
}
