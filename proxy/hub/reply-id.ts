// QEMU echoes our numeric upstream id; the client must get its own id back, exactly.
import type { Json, QmpReply } from '../../protocol/qmp.ts';
import { toQemuJson } from '../qmp/qemu-json.ts';
import type { UpstreamReply } from '../qmp/upstream-session.ts';

/**
 * Rewrites the id of a reply as text. QEMU writes `{"return": ..., "id": N}` and
 * `{"id": N, "error": ...}`, so the id sits at a known end of the raw line and the (possibly large)
 * reply need not be serialised again. Anything else falls back to re-serialising.
 */
export function replyWithClientId(reply: UpstreamReply, clientId: Json | undefined): string {
  const { raw, upstreamId } = reply;
  const suffix = `, "id": ${upstreamId}}`;
  if ('return' in reply.message && raw.endsWith(suffix)) {
    const head = raw.slice(0, raw.length - suffix.length);
    return clientId === undefined ? `${head}}` : `${head}, "id": ${toQemuJson(clientId)}}`;
  }
  const prefix = `{"id": ${upstreamId}, `;
  if ('error' in reply.message && raw.startsWith(prefix)) {
    const tail = raw.slice(prefix.length);
    return clientId === undefined ? `{${tail}` : `{"id": ${toQemuJson(clientId)}, ${tail}`;
  }
  return formatReply(reply.message, clientId);
}

/** A reply as QEMU writes it: `return` then `id`; `id` then `error`. */
export function formatReply(message: QmpReply, clientId: Json | undefined): string {
  if ('return' in message) {
    return toQemuJson(
      clientId === undefined ? { return: message.return } : { return: message.return, id: clientId },
    );
  }
  return toQemuJson(
    clientId === undefined ? { error: { ...message.error } } : { id: clientId, error: { ...message.error } },
  );
}
