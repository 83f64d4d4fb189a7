// Every HTTP-level defence, against the whole console in-process (its one VM has no QEMU: these
// checks all happen before a VM is involved). The real-QEMU proofs are in security.int.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../protocol/api.ts';
import { CloseCode } from '../../protocol/api.ts';
import { VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import { parseCliArgs } from '../config/cli-config.ts';
import { startConsole } from '../console.ts';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: any path, any Host, any header; an upgrade request answers 101 or a status. */
function request(
  base: string,
  rawPath: string,
  options: { method?: string; headers?: Record<string, string>; upgrade?: boolean; ca?: Buffer } = {},
): Promise<Answer> {
  const url = new URL(base);
  const headers: Record<string, string> = { host: url.host, ...options.headers };
  if (options.upgrade)
    Object.assign(headers, {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      ...options.headers,
    });
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request({
      host: url.hostname,
      port: url.port,
      path: rawPath,
      method: options.method ?? 'GET',
      headers,
      ...(options.ca ? { ca: options.ca } : {}),
      agent: false,
    });
    req.on('error', reject);
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end();
  });
}

let staticDir: string;
let tc: TestConsole;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>QMP Console</title>');
  tc = await startTestConsole({
    vms: { vm: path.join(staticDir, 'no-qemu-here.qmp') },
    args: ['--viewer-token', TEST_VIEWER_TOKEN, '--deny', 'quit', '--deny', 'migrate*'],
    start: { staticDir },
  });
});

afterAll(async () => {
  await tc?.stop();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('the token', () => {
  it('is required by the API: missing or wrong → 401 with a JSON reason', async () => {
    for (const headers of [
      {},
      bearer('wrong-token-0123456789'),
      bearer(`${TEST_TOKEN}x`),
      { authorization: TEST_TOKEN },
    ]) {
      const r = await request(tc.url, '/api/vms', { headers });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'token-required' });
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect((await request(tc.url, '/api/vms?token=nope')).status).toBe(401);
    expect((await request(tc.url, '/api/no-such-route')).status).toBe(401);
  });

  it('is accepted as a bearer header, a ?token= parameter or the cookie', async () => {
    expect((await request(tc.url, '/api/vms', { headers: bearer(TEST_TOKEN) })).status).toBe(200);
    expect((await request(tc.url, `/api/vms?token=${TEST_TOKEN}`)).status).toBe(200);
    const cookie = `qmp-console-${tc.running.port}=${TEST_TOKEN}`;
    expect((await request(tc.url, '/api/vms', { headers: { cookie } })).status).toBe(200);
    // Another console's cookie (another port) is not this one's.
    expect(
      (await request(tc.url, '/api/vms', { headers: { cookie: `qmp-console-1=${TEST_TOKEN}` } })).status,
    ).toBe(401);
  });

  it('in the printed link sets an HttpOnly SameSite=Strict cookie and redirects to the page without it', async () => {
    expect(tc.running.openUrl).toBe(`${tc.url}?token=${TEST_TOKEN}`);
    const r = await request(tc.url, `/?token=${TEST_TOKEN}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    expect(r.headers['set-cookie']).toEqual([
      `qmp-console-${tc.running.port}=${TEST_TOKEN}; HttpOnly; SameSite=Strict; Path=/`,
    ]);
    const proxied = await request(tc.url, `/?token=${TEST_TOKEN}`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(proxied.headers['set-cookie']?.[0]).toMatch(/; Secure$/);
    const deep = await request(tc.url, `/vms/vm?tab=events&token=${TEST_TOKEN}`);
    expect(deep.headers.location).toBe('/vms/vm?tab=events');
    // No open redirect through a crafted path.
    const sneaky = await request(tc.url, `//evil.example/?token=${TEST_TOKEN}`);
    expect(sneaky.headers.location).toBe('/');
    const wrong = await request(tc.url, '/?token=wrong-token-0123456789');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toMatch(/not valid for this console/);
  });

  it('is not needed for the SPA shell, which can then ask for it', async () => {
    const r = await request(tc.url, '/vms/vm');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>QMP Console</title>');
    expect(r.headers['x-frame-options']).toBe('DENY');
    const csp = String(r.headers['content-security-policy']).split(/;\s*/);
    for (const directive of [
      "script-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    // Plain HTTP: no HSTS (it would be ignored, and must not outlive a TLS-less setup).
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });

  it('serves source maps only with a token', async () => {
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    writeFileSync(path.join(staticDir, 'assets', 'index-abc.js'), 'export {};');
    writeFileSync(path.join(staticDir, 'assets', 'index-abc.js.map'), '{"version":3,"sources":["src/x.ts"]}');
    expect((await request(tc.url, '/assets/index-abc.js')).status).toBe(200);
    expect((await request(tc.url, '/assets/index-abc.js.map')).status).toBe(401);
    const withToken = await request(tc.url, '/assets/index-abc.js.map', { headers: bearer(TEST_TOKEN) });
    expect(withToken.status).toBe(200);
    expect(withToken.body).toContain('src/x.ts');
  });

  it('masks a token in the logged path however its name is encoded', async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const level = process.env.QMP_CONSOLE_LOG;
    process.env.QMP_CONSOLE_LOG = 'warn';
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      // %74oken is `token` to the server, so it authenticates: the Host refusal logs the path.
      for (const q of [
        `?%74oken=${TEST_TOKEN}`,
        `?a=1&%54OKEN=${TEST_TOKEN}`,
        `?tok%65n=${TEST_TOKEN}&b=2`,
      ]) {
        const r = await request(tc.url, `/api/vms${q}`, { headers: { host: 'evil.example' } });
        expect(r.status).toBe(403);
      }
    } finally {
      process.stderr.write = write;
      process.env.QMP_CONSOLE_LOG = level;
    }
    const refused = lines.filter((l) => l.includes('request refused'));
    expect(refused).toHaveLength(3);
    for (const line of refused) expect(line).not.toContain(TEST_TOKEN);
    expect(refused.map((l) => JSON.parse(l).path)).toEqual([
      '/api/vms?%74oken=***',
      '/api/vms?a=1&%54OKEN=***',
      '/api/vms?tok%65n=***&b=2',
    ]);
  });

  it('is required before any WebSocket upgrade: 401, not a WebSocket', async () => {
    const r = await request(tc.url, '/qmp/vm', { upgrade: true });
    expect(r.status).toBe(401);
    expect(
      (await request(tc.url, '/qmp/vm', { upgrade: true, headers: bearer('wrong-token-0123456789') })).status,
    ).toBe(401);
    await expect(connectWsQmp(tc.wsUrl('vm'))).rejects.toThrow(/401/);
    // Unknown VMs answer 401 too: no token, no list of names.
    expect((await request(tc.url, '/qmp/unknown', { upgrade: true })).status).toBe(401);
  });

  it('lets a WebSocket in with bearer, ?token= or cookie (this VM has no QEMU, so it is closed at once)', async () => {
    for (const [url, headers] of [
      [tc.wsUrl('vm'), bearer(TEST_TOKEN)],
      [`${tc.wsUrl('vm')}?token=${TEST_TOKEN}`, {}],
      [tc.wsUrl('vm'), { cookie: `qmp-console-${tc.running.port}=${TEST_TOKEN}` }],
    ] as const) {
      const c = await connectWsQmp(url, { headers });
      expect((await c.closed).code).toBe(CloseCode.UPSTREAM_LOST);
    }
  });
});

describe('roles', () => {
  it('GET /api/session tells the SPA its role and the policy', async () => {
    const op = JSON.parse(
      (await request(tc.url, '/api/session', { headers: bearer(TEST_TOKEN) })).body,
    ) as SessionInfo;
    expect(op).toEqual({
      role: 'operator',
      auth: true,
      policy: { readOnly: false, deny: ['quit', 'migrate*'], viewerAllow: [...VIEWER_ALLOW] },
    });
    const viewer = JSON.parse(
      (await request(tc.url, '/api/session', { headers: bearer(TEST_VIEWER_TOKEN) })).body,
    ) as SessionInfo;
    expect(viewer.role).toBe('viewer');
    expect((await request(tc.url, '/api/session')).status).toBe(401);
  });

  it("refuses a viewer's state-changing API request", async () => {
    const r = await request(tc.url, '/api/alerts/1/ack', {
      method: 'POST',
      headers: bearer(TEST_VIEWER_TOKEN),
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'viewer-read-only' });
    // The operator's gets past the guard (to whatever route answers it).
    expect(
      (await request(tc.url, '/api/alerts/1/ack', { method: 'POST', headers: bearer(TEST_TOKEN) })).status,
    ).not.toBe(403);
  });
});

describe('Origin', () => {
  it('refuses a WebSocket upgrade from a foreign page with 403, even with a valid token', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'http://127.0.0.1:1',
      'http://localhost.evil.example',
    ]) {
      const r = await request(tc.url, '/qmp/vm', {
        upgrade: true,
        headers: { ...bearer(TEST_TOKEN), origin },
      });
      expect(r.status).toBe(403);
    }
    await expect(
      connectWsQmp(tc.wsUrl('vm'), { headers: bearer(TEST_TOKEN), origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it("lets the console's own page upgrade", async () => {
    const own = new URL(tc.url).origin;
    const r = await request(tc.url, '/qmp/vm', {
      upgrade: true,
      headers: { ...bearer(TEST_TOKEN), origin: own },
    });
    expect(r.status).toBe(101);
  });

  it("refuses a foreign state-changing request with 403; reads are left to the browser's CORS", async () => {
    const post = await request(tc.url, '/api/alerts/1/ack', {
      method: 'POST',
      headers: { ...bearer(TEST_TOKEN), origin: 'https://evil.example' },
    });
    expect(post.status).toBe(403);
    expect(JSON.parse(post.body)).toMatchObject({ code: 'forbidden-origin' });
    for (const method of ['PUT', 'DELETE', 'PATCH'])
      expect(
        (
          await request(tc.url, '/api/x', {
            method,
            headers: { ...bearer(TEST_TOKEN), origin: 'https://evil.example' },
          })
        ).status,
      ).toBe(403);
    const get = await request(tc.url, '/api/vms', {
      headers: { ...bearer(TEST_TOKEN), origin: 'https://evil.example' },
    });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Host (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:8080', '127.0.0.1.nip.io', 'localhost.evil.example'])(
    'refuses Host %s with 403 everywhere, token or not',
    async (host) => {
      for (const p of ['/', '/api/vms', `/?token=${TEST_TOKEN}`]) {
        const r = await request(tc.url, p, { headers: { ...bearer(TEST_TOKEN), host } });
        expect(r.status).toBe(403);
      }
      const up = await request(tc.url, '/qmp/vm', {
        upgrade: true,
        headers: { ...bearer(TEST_TOKEN), host },
      });
      expect(up.status).toBe(403);
    },
  );

  it('answers to loopback names on any port', async () => {
    for (const host of ['localhost', `localhost:${tc.running.port}`, '127.0.0.1', '[::1]:1'])
      expect((await request(tc.url, '/api/vms', { headers: { ...bearer(TEST_TOKEN), host } })).status).toBe(
        200,
      );
  });
});

describe('no relay: only configured VM names', () => {
  it.each([
    '/qmp/../x',
    '/qmp/%2e%2e/x',
    '/qmp/%2E%2E%2Fx',
    '/qmp/.%2e/api/vms',
    '/qmp/vm%2F..%2Fother',
    '/qmp/a%2Fb',
    '/qmp/vm/',
    '/qmp//vm',
    '/qmp/vm/extra',
    '/qmp/',
    '/qmp',
    '/qmp/unknown',
    '/qmp/VM',
    '/qmp/vm%00',
    '/qmp/127.0.0.1:4444',
    '/qmp/unix:%2Ftmp%2Fx.sock',
    '/qmp/tcp:evil.example:4444',
    '/qmp/%76m',
    '/api/vms',
    '/',
  ])('%s → 404, never a connection', async (p) => {
    const r = await request(tc.url, p, { upgrade: true, headers: bearer(TEST_TOKEN) });
    expect(r.status).toBe(404);
  });
});

describe('--no-auth', () => {
  it('serves without a token on loopback', async () => {
    const open = await startTestConsole({ vms: { vm: path.join(staticDir, 'none.qmp') }, token: null });
    try {
      expect(open.running.token).toBeNull();
      expect(open.running.openUrl).toBe(open.url);
      expect((await request(open.url, '/api/vms')).status).toBe(200);
      const session = JSON.parse((await request(open.url, '/api/session')).body) as SessionInfo;
      expect(session).toMatchObject({ role: 'operator', auth: false });
      // Host and Origin still apply.
      expect((await request(open.url, '/api/vms', { headers: { host: 'evil.example' } })).status).toBe(403);
      expect(
        (await request(open.url, '/qmp/vm', { upgrade: true, headers: { origin: 'https://evil.example' } }))
          .status,
      ).toBe(403);
    } finally {
      await open.stop();
    }
  });

  it('is refused beyond loopback, even for a configuration built in code', async () => {
    const config = parseCliArgs(['--target', 'vm=unix:/nonexistent', '--data-dir', staticDir]);
    if (config === 'help') throw new Error('help');
    const unsafe = {
      ...config,
      listen: { host: '0.0.0.0', port: 0 },
      security: { ...config.security, auth: false },
    };
    await expect(startConsole(unsafe)).rejects.toThrow(/--no-auth needs a loopback --listen address/);
  });
});

describe('a random token per start', () => {
  it('is made when none is given, and printed in the link', async () => {
    const start = (dir: string) => {
      const config = parseCliArgs(
        ['--listen', '127.0.0.1:0', '--target', 'vm=unix:/nonexistent', '--data-dir', dir],
        {
          HOME: os.homedir(),
        },
      );
      if (config === 'help') throw new Error('help');
      return startConsole(config, { staticDir });
    };
    const a = await start(path.join(staticDir, 'a'));
    const b = await start(path.join(staticDir, 'b'));
    try {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.openUrl).toBe(`${a.url}?token=${a.token}`);
      expect((await request(a.url, '/api/vms', { headers: bearer(a.token!) })).status).toBe(200);
      expect((await request(a.url, '/api/vms', { headers: bearer(b.token!) })).status).toBe(401);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('TLS', () => {
  // A self-signed certificate from Debian's openssl (a dependency of ca-certificates).
  it('serves HTTPS and marks the cookie Secure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const secure = await startTestConsole({
      vms: { vm: path.join(dir, 'none.qmp') },
      args: ['--tls-cert', cert, '--tls-key', key],
      start: { staticDir },
    });
    try {
      const ca = (await import('node:fs')).readFileSync(cert);
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const landing = await request(secure.url, `/?token=${TEST_TOKEN}`, { ca });
      expect(landing.status).toBe(302);
      expect(landing.headers['set-cookie']?.[0]).toMatch(/; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
      expect(landing.headers['strict-transport-security']).toBe('max-age=31536000');
      expect((await request(secure.url, '/api/vms', { ca, headers: bearer(TEST_TOKEN) })).status).toBe(200);
      expect((await request(secure.url, '/api/vms', { ca })).status).toBe(401);
      const ws = await connectWsQmp(secure.wsUrl('vm'), { headers: bearer(TEST_TOKEN), ca });
      expect((await ws.closed).code).toBe(CloseCode.UPSTREAM_LOST);
    } finally {
      await secure.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a missing or bad certificate, in one line', async () => {
    await expect(
      startTestConsole({
        vms: { vm: '/nonexistent' },
        args: ['--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.pem'],
      }),
    ).rejects.toThrow(/^--tls-cert \/nonexistent.pem: ENOENT$/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-tls-'));
    writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate');
    try {
      await expect(
        startTestConsole({
          vms: { vm: '/nonexistent' },
          args: ['--tls-cert', path.join(dir, 'bad.pem'), '--tls-key', path.join(dir, 'bad.pem')],
        }),
      ).rejects.toThrow(/--tls-cert\/--tls-key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('request targets that are no URL path', () => {
  it.each(['//', '//[', '//a%20b@'])(
    'answer %s with 400 and keep serving, for requests and upgrades',
    async (rawPath) => {
      const plain = await request(tc.url, rawPath, { headers: bearer(TEST_TOKEN) });
      expect(plain.status).toBe(400);
      const upgrade = await request(tc.url, rawPath, { headers: bearer(TEST_TOKEN), upgrade: true });
      expect(upgrade.status).toBe(400);
      expect((await request(tc.url, '/api/vms', { headers: bearer(TEST_TOKEN) })).status).toBe(200);
    },
  );
});

describe('malformed requests on a raw socket', () => {
  /** Writes `chunks` in turn on one connection and returns every byte the console sent until it closed. */
  async function exchange(chunks: string[]): Promise<string> {
    const { port } = new URL(tc.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      received += d;
      // The first answer has come: send what follows on the same kept-alive connection.
      const next = chunks.shift();
      if (next !== undefined) socket.write(next);
    });
    socket.write(chunks.shift()!);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return received;
  }

  it('answers a malformed first request with 400', async () => {
    expect(await exchange(['NOT HTTP\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('closes a kept-alive connection that turns malformed without a stray 400 (a browser would read it as its next answer)', async () => {
    const received = await exchange([
      `GET /api/session HTTP/1.1\r\nHost: ${new URL(tc.url).host}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`,
      'NOT HTTP\r\n\r\n',
    ]);
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).not.toContain('400 Bad Request');
  });
});
