// What an alert says, in plain words: the banner, notifications and screen-reader announcements.
import type { JournalAlert } from '../../../protocol/journal.ts';
import { blockActionText, diskLabel, vmActionText } from './qemu-words.ts';

/** An alert in plain words: a headline, and the facts behind it. */
export interface AlertText {
  headline: string;
  facts: { label: string; value: string }[];
}

export function alertReason(a: Pick<JournalAlert, 'nospace' | 'reason'>): string {
  if (a.nospace === true) return `disk full${a.reason ? ` (${a.reason})` : ''}`;
  return a.reason ?? 'no reason given';
}

export function describeAlert(a: JournalAlert, formatTime: (iso: string) => string): AlertText {
  const facts: AlertText['facts'] = [{ label: 'VM', value: a.vm }];
  let headline: string;
  switch (a.event) {
    case 'BLOCK_IO_ERROR':
      headline = `${a.vm}: disk ${diskLabel(a.device, a.node)} — ${a.operation ?? 'I/O'} failed, ${alertReason(a)}`;
      facts.push(
        { label: 'Device', value: a.device ?? 'none (a node without a device name)' },
        { label: 'Node', value: a.node ?? 'not given' },
        { label: 'Operation', value: a.operation ?? 'not given' },
        { label: 'Action', value: `${a.action ?? 'not given'} (${blockActionText(a.action)})` },
        { label: 'Reason', value: alertReason(a) },
      );
      break;
    case 'BLOCK_JOB_ERROR':
      headline = `${a.vm}: block job ${a.device ?? '?'} — ${a.operation ?? 'I/O'} failed, ${blockActionText(a.action)}`;
      // QEMU names the job in `device` (its id, or the disk of a job started without one).
      facts.push(
        { label: 'Job', value: a.device ?? 'not given' },
        { label: 'Device', value: a.device ?? 'not given' },
        { label: 'Operation', value: a.operation ?? 'not given' },
        { label: 'Action', value: `${a.action ?? 'not given'} (${blockActionText(a.action)})` },
      );
      break;
    case 'BLOCK_WRITE_THRESHOLD':
      headline = `${a.vm}: node ${a.node ?? '?'} passed its write threshold`;
      facts.push(
        { label: 'Node', value: a.node ?? 'not given' },
        { label: 'How far', value: a.reason ?? 'not given' },
      );
      break;
    case 'GUEST_PANICKED':
      headline = `${a.vm}: the guest panicked, ${vmActionText(a.action)}`;
      facts.push({ label: 'Action', value: a.action ?? 'not given' });
      break;
    case 'GUEST_CRASHLOADED':
      headline = `${a.vm}: the guest crashed and loaded its crash kernel`;
      facts.push({ label: 'Action', value: a.action ?? 'not given' });
      break;
    case 'WATCHDOG':
      headline = `${a.vm}: the watchdog expired, ${vmActionText(a.action)}`;
      facts.push({ label: 'Action', value: a.action ?? 'not given' });
      break;
    default:
      headline = `${a.vm}: ${String(a.event)}`;
  }
  facts.push(
    { label: 'Count', value: a.count === 1 ? 'once' : `${a.count.toLocaleString('en-US')} times` },
    { label: 'Since', value: formatTime(a.first) },
  );
  if (a.count > 1) facts.push({ label: 'Latest', value: formatTime(a.last) });
  return { headline, facts };
}

/** One short sentence for notifications and screen-reader announcements. */
export function alertSentence(a: JournalAlert): string {
  switch (a.event) {
    case 'BLOCK_IO_ERROR':
      return `${a.vm}: ${a.operation ?? 'I/O'} error on disk ${a.device ?? a.node ?? 'unnamed'}, ${alertReason(a)}; ${blockActionText(a.action)}.`;
    case 'GUEST_PANICKED':
      return `${a.vm}: the guest panicked; ${vmActionText(a.action)}.`;
    case 'GUEST_CRASHLOADED':
      return `${a.vm}: the guest crashed and loaded its crash kernel.`;
    case 'WATCHDOG':
      return `${a.vm}: the watchdog expired; ${vmActionText(a.action)}.`;
    case 'BLOCK_JOB_ERROR':
      return `${a.vm}: block job ${a.device ?? 'unnamed'} hit a ${a.operation ?? 'I/O'} error; ${blockActionText(a.action)}.`;
    case 'BLOCK_WRITE_THRESHOLD':
      return `${a.vm}: warning, node ${a.node ?? 'unnamed'} passed its write threshold: ${a.reason ?? 'amount not given'}.`;
    default:
      return `${a.vm}: ${a.event} ${a.device ?? ''}`.trim();
  }
}

/** What an alert that counted again after a resume says: "stopped again — read error, count 2". */
export function stoppedAgainText(a: JournalAlert): string {
  const what =
    a.event === 'BLOCK_IO_ERROR'
      ? `${a.operation ?? 'I/O'} error${a.nospace ? ' (disk full)' : ''}`
      : a.event === 'GUEST_PANICKED'
        ? 'the guest panicked'
        : a.event === 'WATCHDOG'
          ? 'the watchdog expired'
          : String(a.event);
  return `${a.vm} stopped again — ${what}, count ${a.count.toLocaleString('en-US')}.`;
}
