// index.html as served to each page: a VM page's chunk named in its head, and what the page asks first
// (the VM list, the session) in a JSON data block, only for a browser holding a token.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_SNAPSHOT_ID, type PageSnapshot } from '../../protocol/api.ts';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { chunkPreloads, createIndexPage, jsonForHtml, themeFromCookie, vmPagePreview } from './index-page.ts';

/** A build's manifest as Vite writes it: the entry, a shared chunk, a lazy page importing both. */
const manifest = {
  'src/main.tsx': {
    file: 'assets/index-1.js',
    isEntry: true,
    imports: ['_shared-2.js'],
    css: ['assets/index-1.css'],
  },
  '_shared-2.js': { file: 'assets/shared-2.js' },
  '_banner-3.js': { file: 'assets/banner-3.js', imports: ['_shared-2.js'], css: ['assets/banner-3.css'] },
  'src/pages/vm-route.tsx': {
    file: 'assets/vm-route-4.js',
    isDynamicEntry: true,
    imports: ['_shared-2.js', '_banner-3.js'],
    css: ['assets/vm-route-4.css'],
  },
};

const snapshotIn = (html: string): PageSnapshot | null => {
  const m = new RegExp(`<script type="application/json" id="${PAGE_SNAPSHOT_ID}">(.*?)</script>`).exec(html);
  return m ? (JSON.parse(m[1]!) as PageSnapshot) : null;
};

describe('chunkPreloads', () => {
  it("names the page's chunk, what it imports and their stylesheets, less what the entry loads", () => {
    const links = chunkPreloads(manifest, 'src/pages/vm-route.tsx');
    expect(links.match(/href="[^"]+"/g)).toEqual([
      'href="/assets/vm-route-4.css"',
      'href="/assets/banner-3.css"',
      'href="/assets/vm-route-4.js"',
      'href="/assets/banner-3.js"',
    ]);
    expect(links).toContain('<link rel="modulepreload" crossorigin href="/assets/vm-route-4.js">');
    expect(links).toContain('<link rel="stylesheet" crossorigin href="/assets/banner-3.css">');
    expect(chunkPreloads(manifest, 'src/pages/none.tsx')).toBe('');
  });
});

describe('jsonForHtml', () => {
  it('cannot end the script element nor open a comment, and reads back the same', () => {
    const value = { error: '</script><script>alert(1)</script><!-- $& $1' };
    const text = jsonForHtml(value);
    expect(text).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('the page as served', () => {
  let staticDir: string;
  let tc: TestConsole;
  const page = async (pathname: string, token?: string) => {
    const res = await fetch(new URL(pathname.slice(1), tc.url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { res, html: await res.text() };
  };

  beforeAll(async () => {
    staticDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-index-'));
    mkdirSync(path.join(staticDir, '.vite'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(
      path.join(staticDir, 'index.html'),
      '<!doctype html><html><head><title>QMP Console</title></head><body><div id="root"></div></body></html>',
    );
    writeFileSync(path.join(staticDir, '.vite', 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(staticDir, 'assets', 'shared-2.js'), 'export const x = 1;\n');
    tc = await startTestConsole({
      vms: { vm: path.join(staticDir, 'no-qemu-here.qmp') },
      args: ['--viewer-token', TEST_VIEWER_TOKEN],
      start: { staticDir },
    });
  });
  afterAll(async () => {
    await tc?.stop();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('holds GET /api/vms, /api/session and the open alerts as the console answers them, for a token holder only', async () => {
    // An open alert, as QEMU's BLOCK_IO_ERROR makes one.
    tc.running.journal.sink(
      'vm',
      {
        event: 'BLOCK_IO_ERROR',
        data: { device: 'bad0', operation: 'read', action: 'stop', reason: 'Input/output error' },
        timestamp: { seconds: 1_700_000_000, microseconds: 0 },
      },
      '',
      () => {},
    );
    tc.running.journal.flush();
    const { res, html } = await page('/vms/vm', TEST_TOKEN);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const snapshot = snapshotIn(html);
    // The VM (no QEMU behind it) retries its connection meanwhile: its name and address stay put.
    const listed = (await (await tc.api('/api/vms')).json()) as PageSnapshot['vms'];
    const stable = (vms: PageSnapshot['vms'] | undefined) => vms?.map((v) => [v.name, v.address]);
    expect(stable(snapshot?.vms)).toEqual(stable(listed));
    expect(Object.keys(snapshot!.vms[0]!).sort()).toEqual(Object.keys(listed[0]!).sort());
    expect(snapshot?.session).toEqual(await (await tc.api('/api/session')).json());
    const open = (await (await tc.api('/api/alerts?state=open&limit=1000')).json()) as { alerts: unknown[] };
    expect(open.alerts).toMatchObject([{ vm: 'vm', device: 'bad0', state: 'open' }]);
    expect(snapshot?.alerts).toEqual(open.alerts);
    expect(snapshotIn((await page('/', TEST_VIEWER_TOKEN)).html)?.session.role).toBe('viewer');
    const visitor = await page('/vms/vm');
    expect(visitor.res.status).toBe(200);
    expect(snapshotIn(visitor.html)).toBeNull();
    expect(visitor.html).not.toContain('no-qemu-here');
  });

  it("names the VM page's chunk in that page's head only", async () => {
    const vmPage = (await page('/vms/vm/block')).html;
    const head = vmPage.slice(0, vmPage.indexOf('</head>'));
    expect(head).toContain('<link rel="modulepreload" crossorigin href="/assets/vm-route-4.js">');
    expect(head).toContain('<link rel="stylesheet" crossorigin href="/assets/vm-route-4.css">');
    expect(head).not.toContain('shared-2.js');
    expect((await page('/events')).html).not.toContain('vm-route-4');
  });

  it('keeps the document headers on the page and leaves them off a script', async () => {
    const { res } = await page('/vms/vm', TEST_TOKEN);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const script = await fetch(new URL('assets/shared-2.js', tc.url));
    expect(script.status).toBe(200);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.headers.get('content-security-policy')).toBeNull();
    expect(script.headers.get('x-frame-options')).toBeNull();
    expect(script.headers.get('referrer-policy')).toBeNull();
  });
});

describe('vmPagePreview', () => {
  const vm = (over: Partial<PageSnapshot['vms'][number]>): PageSnapshot['vms'][number] => ({
    name: 'web<1>',
    address: 'unix:/run/web.sock',
    state: 'connected',
    version: null,
    since: '2026-11-30T00:00:00.000Z',
    error: null,
    runState: { status: 'io-error', running: false, reason: 'io-error', since: '2026-11-30T00:00:00.000Z' },
    ...over,
  });
  const snapshot = (vms: PageSnapshot['vms']): PageSnapshot => ({
    vms,
    session: { role: 'operator' } as PageSnapshot['session'],
  });

  it("marks up the VM's run state as its page's status badge, names escaped", () => {
    const html = vmPagePreview('/vms/web%3C1%3E/events', snapshot([vm({})]));
    expect(html).toContain('<h1>web&lt;1&gt;</h1>');
    expect(html).toMatch(
      /<span role="status" aria-label="Run state" class="badge badge-large" data-status="io-error">io-error<\/span>/,
    );
  });

  it('shows nothing for a VM the console has no session to, another page, or an unknown VM', () => {
    expect(vmPagePreview('/vms/web%3C1%3E', snapshot([vm({ state: 'disconnected', runState: null })]))).toBe(
      '',
    );
    expect(vmPagePreview('/alerts', snapshot([vm({})]))).toBe('');
    expect(vmPagePreview('/vms/other', snapshot([vm({})]))).toBe('');
    expect(vmPagePreview('/vms/%E0%A4%A', snapshot([vm({})]))).toBe('');
  });
});

describe('a VM page with its run state as served', () => {
  let dir: string;
  const built =
    '<!doctype html>\n<html lang="en">\n<head><title>QMP Console</title>' +
    '<script src="/theme-init.js"></script>' +
    '<script type="module" crossorigin src="/assets/index-1.js"></script>' +
    '<link rel="modulepreload" crossorigin href="/assets/shared-2.js">' +
    '<link rel="stylesheet" crossorigin href="/assets/index-1.css">' +
    '</head>\n<body>\n<div id="root"></div>\n</body>\n</html>\n';
  const io: PageSnapshot = {
    vms: [
      {
        name: 'vm',
        address: 'unix:/run/vm.sock',
        state: 'connected',
        version: null,
        since: '2026-11-30T00:00:00.000Z',
        error: null,
        runState: { status: 'io-error', running: false, reason: null, since: '2026-11-30T00:00:00.000Z' },
      },
    ],
    session: { role: 'operator' } as PageSnapshot['session'],
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-preview-'));
    mkdirSync(path.join(dir, '.vite'));
    writeFileSync(path.join(dir, 'index.html'), built);
    writeFileSync(path.join(dir, '.vite', 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(dir, 'page-preview.css'), '/* why */\n.badge {\n  color: red;\n}\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const order = (html: string, ...parts: string[]) => parts.map((p) => html.indexOf(p));

  it('needs nothing but itself for its first frame: the preview styled inline, what it would wait for after it', () => {
    const html = createIndexPage(dir).render('/vms/vm', io)!;
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain('<style>.badge{color:red}</style>');
    expect(head).not.toMatch(/rel="stylesheet"|theme-init/);
    // Modules still start loading from the head; they run after the parser, which waits for the sheets.
    expect(head).toContain('<script type="module" crossorigin src="/assets/index-1.js"></script>');
    expect(head).toContain('<link rel="modulepreload" crossorigin href="/assets/vm-route-4.js">');
    const at = order(
      html,
      'data-status="io-error"',
      `id="${PAGE_SNAPSHOT_ID}"`,
      '<script src="/theme-init.js"></script>',
      'href="/assets/index-1.css"',
      'href="/assets/vm-route-4.css"',
      'href="/assets/banner-3.css"',
      '</body>',
    );
    expect(at.every((i) => i > head.length)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html.match(/<html[^>]*>/)![0]).toBe('<html lang="en">');
  });

  it('starts in the theme its cookie names', () => {
    const page = createIndexPage(dir);
    expect(page.render('/vms/vm', io, 'dark')).toMatch(
      /^<!doctype html>\n<html data-theme="dark" lang="en">/,
    );
    expect(themeFromCookie('a=b; qmp-console-theme=dark')).toBe('dark');
    expect(themeFromCookie('qmp-console-theme=light')).toBe('light');
    expect(themeFromCookie('qmp-console-theme=%22%3E')).toBeNull();
    expect(themeFromCookie(undefined)).toBeNull();
  });

  it('is served as built where there is no preview: another page, a VM without a session, a visitor', () => {
    const page = createIndexPage(dir);
    const gone = { ...io, vms: [{ ...io.vms[0]!, state: 'disconnected' as const, runState: null }] };
    for (const html of [
      page.render('/alerts', io, 'dark'),
      page.render('/vms/vm', gone),
      page.render('/vms/vm', null),
    ]) {
      const head = html!.slice(0, html!.indexOf('</head>'));
      expect(head).toContain('<script src="/theme-init.js"></script>');
      expect(head).toContain('<link rel="stylesheet" crossorigin href="/assets/index-1.css">');
      expect(html).not.toContain('<style>');
      expect(html).not.toContain('data-theme');
    }
  });
});
