// Who this browser is to the console (`GET /api/session`): its role and the command policy.
import { queryOptions } from '@tanstack/react-query';
import type { SessionInfo } from '../../../protocol/api.ts';
import { fetchJson, HttpError } from './http.ts';

/**
 * `['session']`, shared by every feature. null when the console has no session API (404): everybody is
 * then treated as an operator, and the proxy has the last word anyway. A 401 stays an error: the token
 * gate tells the person how to get in.
 */
export const sessionQueryOptions = queryOptions({
  queryKey: ['session'] as const,
  queryFn: async ({ signal }): Promise<SessionInfo | null> => {
    try {
      return await fetchJson<SessionInfo>('/api/session', { signal });
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw err;
    }
  },
  staleTime: 5 * 60_000,
  retry: false,
});

/** The console refused this browser for want of a valid token. */
export function isTokenRequired(err: unknown): boolean {
  return err instanceof HttpError && err.status === 401;
}
