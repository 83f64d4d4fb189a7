// The VM's screen from the console (`GET /api/vms/NAME/screen.png`): one query per VM, shared by the
// Display panel and the VM list. react-query stops interval refetches while the tab is hidden.
import { queryOptions } from '@tanstack/react-query';
import { SCREEN_TAKEN_HEADER, type ScreenProblem, screenPath } from '../../../protocol/guest.ts';

export type Screen =
  | { kind: 'picture'; blob: Blob; takenAt: string }
  | { kind: 'none'; problem: ScreenProblem };

export async function fetchScreen(vm: string, signal?: AbortSignal): Promise<Screen> {
  const res = await fetch(screenPath(vm), { signal });
  if (res.status === 409) return { kind: 'none', problem: (await res.json()) as ScreenProblem };
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `screen.png: ${res.status} ${res.statusText}`);
  }
  return {
    kind: 'picture',
    blob: await res.blob(),
    takenAt: res.headers.get(SCREEN_TAKEN_HEADER) ?? new Date().toISOString(),
  };
}

/** `['screen', vm]`, refreshed every `everyMs` while the tab is visible. */
export function screenQueryOptions(vm: string, everyMs: number) {
  return queryOptions({
    queryKey: ['screen', vm] as const,
    queryFn: ({ signal }) => fetchScreen(vm, signal),
    refetchInterval: everyMs,
    refetchIntervalInBackground: false,
    staleTime: 1000,
    retry: false,
  });
}
