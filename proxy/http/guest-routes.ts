// The guest's API: what the console sees of each VM through its own commands (VmHub.execute).
//
//   GET  /api/vms/NAME/screen.png             the screen now (shared: one dump per VM a second)
//   GET  /api/vms/NAME/serial/DEVICE?after=N  a ringbuf chardev's output kept by the console (SerialChunk)
//   GET  /api/vms/NAME/stats                  block I/O rates over the last minutes (VmStatsHistory)
//   GET  /api/vms/NAME/nics                   NICs (NicList)
//   POST /api/vms/NAME/nics/ID/link {up}      set_link (operator; the command policy and audit apply)
//   GET  /api/events/SEQ/screen.png           the screenshot taken when a panic event arrived
//
// Viewers may read all of it: a screen, a serial log and statistics are what `query-*` shows in pictures.
import type http from 'node:http';
import { SCREEN_TAKEN_HEADER, type ScreenProblem } from '../../protocol/guest.ts';
import type { ClientContext, CommandRecord } from '../../protocol/journal.ts';
import type { BlockSampler } from '../guest/block-sampler.ts';
import type { NicBook } from '../guest/nics.ts';
import type { PanicCapture } from '../guest/panic-capture.ts';
import { type ScreenCapture, ScreenCaptureError } from '../guest/screen-capture.ts';
import type { SerialLog } from '../guest/serial-log.ts';
import type { CommandGate, RefusalReason } from '../hub/client-session.ts';
import { ConsoleCommandError } from '../hub/console-command.ts';
import { log } from '../log.ts';
import { sendJson } from './send-json.ts';

export interface GuestRoutesOptions {
  vmExists(name: string): boolean;
  screens: ScreenCapture;
  serial: SerialLog;
  sampler: BlockSampler;
  nics: NicBook;
  panics: PanicCapture;
  /** The command policy: `set_link` from this API is decided as if a client sent it. */
  gate?: CommandGate;
  /** The audit trail. */
  onCommand?: (record: CommandRecord) => void;
}

export type GuestRoutes = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  context: ClientContext,
) => boolean;

const VM_ROUTE = /^\/api\/vms\/([^/]+)\/(screen\.png|serial\/[^/]+|stats|nics|nics\/[^/]+\/link)$/;
const EVENT_SCREEN = /^\/api\/events\/(\d{1,15})\/screen\.png$/;
const MAX_BODY = 1024;

export function createGuestRoutes(options: GuestRoutesOptions): GuestRoutes {
  return (req, res, url, context) => {
    const method = req.method ?? 'GET';
    const eventScreen = EVENT_SCREEN.exec(url.pathname);
    if (eventScreen) {
      if (method !== 'GET') return notAllowed(res, 'GET');
      void options.panics.screen(Number(eventScreen[1])).then((s) => {
        if ('png' in s) sendPng(res, s.png, null);
        else sendJson(res, 404, { error: s.missing });
      });
      return true;
    }
    const m = VM_ROUTE.exec(url.pathname);
    if (!m) return false;
    let vm: string;
    let rest: string[];
    try {
      vm = decodeURIComponent(m[1]!);
      rest = m[2]!.split('/').map(decodeURIComponent);
    } catch {
      sendJson(res, 400, { error: 'malformed percent-encoding in the path' });
      return true;
    }
    if (!options.vmExists(vm)) {
      sendJson(res, 404, { error: `unknown VM "${vm}"` });
      return true;
    }
    const isLink = rest[0] === 'nics' && rest.length === 3;
    if (isLink ? method !== 'POST' : method !== 'GET') return notAllowed(res, isLink ? 'POST' : 'GET');
    const answer = isLink ? setLink(req, res, vm, rest[1]!, context) : read(res, url, vm, rest);
    answer.catch((err: unknown) => {
      log.warn('guest API request failed', { path: url.pathname, error: String(err) });
      if (!res.headersSent) sendJson(res, 502, { error: (err as Error).message });
    });
    return true;
  };

  async function read(res: http.ServerResponse, url: URL, vm: string, rest: string[]): Promise<void> {
    switch (rest[0]) {
      case 'screen.png':
        try {
          const shot = await options.screens.screen(vm);
          return sendPng(res, shot.png, shot.at);
        } catch (err) {
          if (!(err instanceof ScreenCaptureError)) throw err;
          const body: ScreenProblem = { error: err.message, code: err.code };
          return sendJson(res, 409, body);
        }
      case 'serial': {
        const after = url.searchParams.get('after') ?? '-1';
        if (!/^-1$|^\d{1,15}$/.test(after))
          return sendJson(res, 400, { error: 'after must be a byte offset (or -1 for everything kept)' });
        try {
          return sendJson(res, 200, await options.serial.read(vm, rest[1]!, Number(after)));
        } catch (err) {
          return sendCommandError(res, err);
        }
      }
      case 'stats':
        return sendJson(res, 200, options.sampler.history(vm));
      default:
        try {
          return sendJson(res, 200, { nics: await options.nics.list(vm) });
        } catch (err) {
          return sendCommandError(res, err);
        }
    }
  }

  async function setLink(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    vm: string,
    nic: string,
    context: ClientContext,
  ): Promise<void> {
    const body = await readJsonBody(req);
    if (!body || typeof body.up !== 'boolean')
      return sendJson(res, 400, { error: 'the body must be {"up": true} or {"up": false}' });
    const args = { name: nic, up: body.up };
    const audit = (outcome: CommandRecord['outcome'], errorClass?: string, refusal?: RefusalReason) =>
      options.onCommand?.({
        vm,
        context,
        command: 'set_link',
        argumentNames: Object.keys(args),
        outcome,
        ...(errorClass ? { errorClass } : {}),
        ...(refusal ? { refusal } : {}),
      });
    const refused = options.gate?.('set_link', args, context);
    if (refused) {
      audit('denied', refused.class, refused.reason);
      return sendJson(res, 403, { error: refused.desc });
    }
    try {
      await options.nics.setLink(vm, nic, body.up);
    } catch (err) {
      audit(
        err instanceof ConsoleCommandError && err.reason === 'qmp-error' ? 'error' : 'lost',
        err instanceof ConsoleCommandError ? (err.errorClass ?? undefined) : undefined,
      );
      return sendCommandError(res, err);
    }
    audit('ok');
    sendJson(res, 200, { name: nic, link: body.up ? 'up' : 'down' });
  }
}

function sendPng(res: http.ServerResponse, png: Buffer, at: number | null): void {
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': png.length,
    'cache-control': 'no-store',
    ...(at !== null ? { [SCREEN_TAKEN_HEADER]: new Date(at).toISOString() } : {}),
  });
  res.end(png);
}

/** QEMU's refusal (an unknown chardev or NIC) is the client's 4xx; a VM not connected is 503. */
function sendCommandError(res: http.ServerResponse, err: unknown): void {
  if (!(err instanceof ConsoleCommandError)) throw err;
  if (err.reason === 'qmp-error') sendJson(res, 422, { error: err.message, class: err.errorClass });
  else sendJson(res, 503, { error: err.message });
}

function notAllowed(res: http.ServerResponse, allow: string): true {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `use ${allow}` });
  return true;
}

async function readJsonBody(req: http.IncomingMessage): Promise<Record<string, unknown> | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
