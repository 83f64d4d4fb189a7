// What the console put in index.html for this browser (proxy/http/index-page.ts): `GET /api/vms`,
// `GET /api/session` and the open alerts as it answered them when serving the page. They go into react-query's caches
// before the first render, so a VM's page paints its run state with no request in between; the console
// stream then keeps the list current as it does any other.
import type { QueryClient } from '@tanstack/react-query';
import { PAGE_SNAPSHOT_ID, type PageSnapshot } from '../../../protocol/api.ts';
import { openAlertsReplaced } from './alerts.ts';
import { sessionQueryOptions } from './session.ts';
import { vmsPushed, vmsQueryOptions } from './vms.ts';

/**
 * The snapshot in the page, taken once: the element goes, so nothing later mistakes it for a newer
 * answer. Null when absent (a visitor without a token, `npm run dev`) or not what the console writes.
 */
export function takePageSnapshot(doc: Document): PageSnapshot | null {
  const el = doc.getElementById(PAGE_SNAPSHOT_ID);
  if (!el) return null;
  el.remove();
  try {
    const s = JSON.parse(el.textContent ?? '') as Partial<PageSnapshot> | null;
    return s && Array.isArray(s.vms) && typeof s.session === 'object' && s.session !== null
      ? (s as PageSnapshot)
      : null;
  } catch {
    return null;
  }
}

/** Puts the snapshot's answers where their queries keep them. */
export function seedFromPageSnapshot(queryClient: QueryClient, snapshot: PageSnapshot): void {
  const at = Date.now();
  queryClient.setQueryData(vmsQueryOptions.queryKey, snapshot.vms, { updatedAt: at });
  vmsPushed.fromPageAt = at;
  queryClient.setQueryData(sessionQueryOptions.queryKey, snapshot.session, { updatedAt: at });
  // The stream's first snapshot replaces them as it would a read of `/api/alerts`.
  if (Array.isArray(snapshot.alerts)) openAlertsReplaced(queryClient, snapshot.alerts);
}
