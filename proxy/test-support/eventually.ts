// The one way tests wait for something that is not an event they can subscribe to: ask again until
// `probe` gives a value (not undefined, not a thrown error), or fail with what was awaited.
/** A number is the timeout in ms. */
export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: EventuallyOptions | number = {},
): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 20 } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
