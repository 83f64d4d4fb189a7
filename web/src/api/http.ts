// Fetching the console's own HTTP API (same origin; later the auth cookie rides along).

/** A non-2xx answer from the console's API. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly url: string;

  constructor(url: string, status: number, statusText: string, body: string) {
    super(`GET ${url}: ${status} ${statusText}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.status = status;
    this.url = url;
  }
}

export async function fetchJson<T>(url: string, init?: { signal?: AbortSignal }): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: init?.signal });
  if (!res.ok) {
    const body = await res.text().catch(() => '');
    throw new HttpError(url, res.status, res.statusText, body.trim());
  }
  return (await res.json()) as T;
}
