// QEMU echoes our numeric upstream id; the client must get its own id back, exactly.
import type { Json, QmpReply } from '../../protocol/qmp.ts';
import { toQemuJson } from '../qmp/qemu-json.ts';
import type { UpstreamReply } from '../qmp/upstream-session.ts';

/** The id as the client wrote it when its value would not survive as a JS number (`1.0`, 2^64-1). */
const idJson = (clientId: Json, idText: string | undefined): string => idText ?? toQemuJson(clientId);

/**
 * Rewrites the id of a reply as text. QEMU writes `{"return": ..., "id": N}` and
 * `{"id": N, "error": ...}`, so the id sits at a known end of the raw line and the (possibly large)
 * reply need not be serialised again. Anything else falls back to re-serialising.
 */
export function replyWithClientId(reply: UpstreamReply, clientId: Json | undefined, idText?: string): string {
  const { raw, upstreamId } = reply;
  const suffix = `, "id": ${upstreamId}}`;
  if ('return' in reply.message && raw.endsWith(suffix)) {
    const head = raw.slice(0, raw.length - suffix.length);
    return clientId === undefined ? `${head}}` : `${head}, "id": ${idJson(clientId, idText)}}`;
  }
  const prefix = `{"id": ${upstreamId}, `;
  if ('error' in reply.message && raw.startsWith(prefix)) {
    const tail = raw.slice(prefix.length);
    return clientId === undefined ? `{${tail}` : `{"id": ${idJson(clientId, idText)}, ${tail}`;
  }
  return formatReply(reply.message, clientId, idText);
}

/** A reply as QEMU writes it: `return` then `id`; `id` then `error`. */
export function formatReply(message: QmpReply, clientId: Json | undefined, idText?: string): string {
  if ('return' in message) {
    const body = toQemuJson(message.return);
    return clientId === undefined
      ? `{"return": ${body}}`
      : `{"return": ${body}, "id": ${idJson(clientId, idText)}}`;
  }
  const error = toQemuJson({ ...message.error });
  return clientId === undefined
    ? `{"error": ${error}}`
    : `{"id": ${idJson(clientId, idText)}, "error": ${error}}`;
}
