// Access tokens: making one, checking one in constant time, and finding one in a request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ConsoleRole } from '../../protocol/api.ts';

/** 256 random bits, URL- and cookie-safe (43 characters of base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a token given on the command line may look like: safe in a URL, a cookie and a header. */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The console's tokens and the role each grants. */
export class TokenSet {
  private readonly entries: { digest: Buffer; role: ConsoleRole }[];

  constructor(tokens: { token: string; role: ConsoleRole }[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), role: t.role }));
  }

  /**
   * The role a candidate token grants, or null. Hashing first makes the comparison fixed-length, and
   * every entry is compared whatever matched, so timing says nothing about any token.
   */
  roleOf(candidate: string): ConsoleRole | null {
    const d = digest(candidate);
    let role: ConsoleRole | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(d, entry.digest) && role === null) role = entry.role;
    }
    return role;
  }
}

/**
 * The tokens a request presents, most explicit first: `Authorization: Bearer`, `?token=`, then the
 * cookie (every cookie of that name: a browser may send several).
 */
export function presentedTokens(req: IncomingMessage, url: URL, cookieName: string): string[] {
  const found: string[] = [];
  const auth = req.headers.authorization;
  const bearer = auth ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth) : null;
  if (bearer) found.push(bearer[1]!);
  for (const t of url.searchParams.getAll('token')) found.push(t);
  found.push(...cookieValues(req.headers.cookie, cookieName));
  return found.filter((t) => t.length > 0 && t.length <= 1024);
}

export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

/**
 * The cookie's name carries the port: cookies are shared by every port of a host, so two consoles on
 * one machine would otherwise overwrite each other's.
 */
export function tokenCookieName(port: number): string {
  return `qmp-console-${port}`;
}

export function tokenCookie(name: string, token: string, secure: boolean): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}
