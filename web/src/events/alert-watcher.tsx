// App-wide: makes open alerts and lost VMs hard to miss — the page title, the favicon, a polite
// screen-reader announcement and (if allowed) a notification for each new alert or lost VM. Both reach
// the cache from the console stream (api/console-stream.ts): a lost VM shows the moment the console
// knows. Mount once.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { useOpenAlertIds } from '../api/alerts.ts';
import { useAlertsRaised } from '../api/console-stream.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import { alertSentence } from '../qemu/alert-text.ts';
import { vmPath } from '../qemu/routes.ts';
import { notify } from './notifications.tsx';

/** The lost VMs' names, one a line: a VM's run state changing does not render the watcher. */
const lostNamesOf = (vms: VmSummary[]) =>
  vms
    .filter((v) => v.state === 'disconnected')
    .map((v) => v.name)
    .join('\n');

export function AlertWatcher() {
  // How many are open, not each one's newest count (a storm changes it with every message).
  const openCount = useOpenAlertIds().length;
  const [announcement, setAnnouncement] = useState('');
  const [, navigate] = useLocation();
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;

  useAlertsRaised((list: JournalAlert[]) => {
    const first = list[0];
    if (!first) return;
    setAnnouncement(
      list.length === 1
        ? `New alert. ${alertSentence(first)}`
        : `${list.length} new alerts. ${alertSentence(first)}`,
    );
    if (typeof document !== 'undefined' && (document.hidden || !document.hasFocus()))
      for (const a of list.slice(0, 3))
        notify(`Alert on ${a.vm}`, alertSentence(a), `qmp-console-alert-${a.id}`, () =>
          navigateRef.current(vmPath(a.vm)),
        );
  });

  // A VM the console lost is alert-level: counted in the title and favicon, announced once when lost.
  const lostKey = useQuery({ ...vmsQueryOptions, select: lostNamesOf }).data;
  const lostCount = lostKey ? lostKey.split('\n').length : 0;
  const seenLost = useRef<Set<string> | null>(null);
  const loaded = lostKey !== undefined;
  useEffect(() => {
    if (!loaded) return;
    const now = new Set(lostKey ? lostKey.split('\n') : []);
    // VMs already down when the page opened are on show, not news.
    const fresh = seenLost.current ? [...now].filter((n) => !seenLost.current?.has(n)) : [];
    seenLost.current = now;
    if (fresh.length === 0) return;
    setAnnouncement(`Connection lost: ${fresh.join(', ')}. The console keeps retrying.`);
    if (typeof document !== 'undefined' && (document.hidden || !document.hasFocus()))
      for (const name of fresh.slice(0, 3))
        notify(
          `${name}: connection lost`,
          'The console lost its QMP connection and keeps retrying.',
          `qmp-console-lost-${name}`,
          () => navigateRef.current(vmPath(name)),
        );
  }, [loaded, lostKey]);

  useAlertTitle(openCount, lostCount);
  useAlertFavicon(openCount + lostCount);

  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true">
      {announcement}
    </div>
  );
}

const TITLE_PREFIX = /^\((?:\d+ VMs? lost|\d+ open alerts?)(?:, \d+ open alerts?)?\) /;

export function titleWithAlerts(title: string, count: number, lost = 0): string {
  const base = title.replace(TITLE_PREFIX, '');
  const parts = [
    ...(lost > 0 ? [`${lost} VM${lost === 1 ? '' : 's'} lost`] : []),
    ...(count > 0 ? [`${count} open alert${count === 1 ? '' : 's'}`] : []),
  ];
  return parts.length > 0 ? `(${parts.join(', ')}) ${base}` : base;
}

/** Prefixes the page title with lost VMs and the open alert count, whatever page sets the title. */
function useAlertTitle(count: number, lost: number): void {
  useEffect(() => {
    const apply = () => {
      const want = titleWithAlerts(document.title, count, lost);
      if (document.title !== want) document.title = want;
    };
    apply();
    const el = document.querySelector('title');
    const observer = el && typeof MutationObserver !== 'undefined' ? new MutationObserver(apply) : null;
    if (el) observer?.observe(el, { childList: true, characterData: true, subtree: true });
    return () => {
      observer?.disconnect();
      document.title = titleWithAlerts(document.title, 0);
    };
  }, [count, lost]);
}

function faviconSvg(count: number): string {
  const base =
    '<rect x="1" y="1" width="30" height="30" rx="7" fill="#1f5fbf"/>' +
    '<text x="16" y="22" font-family="Arial,sans-serif" font-size="17" font-weight="700" fill="#fff" text-anchor="middle">Q</text>';
  const badge =
    count > 0
      ? `<circle cx="23" cy="9" r="9" fill="#c62828" stroke="#fff" stroke-width="1.5"/><text x="23" y="13" font-family="Arial,sans-serif" font-size="${
          count > 9 ? 9 : 12
        }" font-weight="700" fill="#fff" text-anchor="middle">${count > 9 ? '9+' : count}</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${base}${badge}</svg>`;
}

/** The favicon: the app's mark, with a red badge counting open alerts. */
function useAlertFavicon(count: number): void {
  useEffect(() => {
    let link = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
    if (!link) {
      link = document.createElement('link');
      link.rel = 'icon';
      document.head.appendChild(link);
    }
    link.type = 'image/svg+xml';
    link.href = `data:image/svg+xml,${encodeURIComponent(faviconSvg(count))}`;
    link.dataset.alerts = String(count);
  }, [count]);
}
