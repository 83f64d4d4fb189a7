// index.html as each page needs it. A VM's page (`/vms/NAME…`) names its lazy chunk in the head, so the
// browser fetches it alongside the app's own code instead of after that code has run; and a browser that
// holds a token gets the console's VM list and its session in the page itself (a JSON data block: no
// script runs from it, so the CSP stays `script-src 'self'`): the run state paints without another
// round trip. Its run state is in the page's markup too, painted before any code has run: that page
// carries the few rules the markup needs (public/page-preview.css) and moves what it would wait for
// (theme-init.js, the stylesheets) after it, so the first frame needs nothing but the page itself.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PAGE_SNAPSHOT_ID, type PageSnapshot, THEME_COOKIE } from '../../protocol/api.ts';
import { cookieValues } from '../security/tokens.ts';

/** The part of Vite's build manifest (`.vite/manifest.json`) read here. */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

/** Pages whose chunk is worth naming in the head: the source module the page's route loads lazily. */
const ROUTE_CHUNKS: { prefix: string; source: string }[] = [
  { prefix: '/vms/', source: 'src/pages/vm-route.tsx' },
];

interface Template {
  mtimeMs: number;
  html: string;
  /** Per ROUTE_CHUNKS entry: the `<link>`s its chunk needs that index.html does not already load. */
  preloads: string[];
  /** public/page-preview.css, for a page that carries the preview ('' when the build has none). */
  previewCss: string;
}

/** `<html data-theme>` as public/theme-init.js would set it, when the person chose one (a cookie). */
export type ThemeChoice = 'light' | 'dark' | null;

export function themeFromCookie(header: string | undefined): ThemeChoice {
  const v = cookieValues(header, THEME_COOKIE)[0];
  return v === 'light' || v === 'dark' ? v : null;
}

const STYLESHEET = /<link rel="stylesheet"[^>]*>/g;
const THEME_SCRIPT = /<script src="\/theme-init\.js"><\/script>/;

/**
 * A page with the preview: the preview's own rules in the head, and after the preview what the first
 * frame would otherwise wait for. theme-init.js is a parser-blocking script and a stylesheet in the head
 * blocks rendering; after the preview, Chromium paints the preview while they load (a stylesheet in the
 * body holds back only the parser), and the app's modules still run after both. A chosen theme comes
 * from its cookie, so the preview is in that theme from the first frame; the OS's is a media query.
 */
function withPreviewFirst(
  html: string,
  root: string,
  content: string,
  css: string,
  theme: ThemeChoice,
): string {
  const moved: string[] = [];
  const take = (tag: string) => {
    moved.push(tag);
    return '';
  };
  let page = html.replace(THEME_SCRIPT, take).replace(STYLESHEET, take);
  page = page.replace('</head>', () => `<style>${css}</style></head>`);
  if (theme) page = page.replace(/^(<!doctype html>\s*<html\b)/i, `$1 data-theme="${theme}"`);
  return page.replace(root, () => `${content}${moved.join('')}`);
}

/** The `<link>` tags for `source`'s chunk and what it imports, less what the entry already brings. */
export function chunkPreloads(manifest: Record<string, ManifestChunk>, source: string): string {
  const inEntry = new Set<string>();
  const walk = (key: string, into: Set<string>) => {
    if (into.has(key) || !manifest[key]) return;
    into.add(key);
    for (const i of manifest[key].imports ?? []) walk(i, into);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) walk(key, inEntry);
  if (!manifest[source]) return '';
  const wanted = new Set<string>();
  walk(source, wanted);
  const css: string[] = [];
  const js: string[] = [];
  for (const key of wanted) {
    if (inEntry.has(key)) continue;
    js.push(manifest[key]!.file);
    css.push(...(manifest[key]!.css ?? []));
  }
  // Stylesheets as Vite's loader adds them (it skips one already in the page), modules to compile early.
  return [
    ...[...new Set(css)].map((f) => `<link rel="stylesheet" crossorigin href="/${f}">`),
    ...js.map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
  ].join('');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * What a VM's page shows before its code has run: the VM's name and the run state the console holds,
 * marked up as the page's own status badge (same role, name and classes). React replaces it when it
 * renders; a VM the console has no session to shows nothing here (its page says why once it runs).
 */
export function vmPagePreview(pathname: string, snapshot: PageSnapshot): string {
  const m = /^\/vms\/([^/]+)/.exec(pathname);
  if (!m) return '';
  let name: string;
  try {
    name = decodeURIComponent(m[1]!);
  } catch {
    return '';
  }
  const vm = snapshot.vms.find((v) => v.name === name);
  if (vm?.state !== 'connected' || !vm.runState) return '';
  const status = escapeHtml(vm.runState.status);
  return (
    `<div class="page-preview" aria-busy="true"><h1>${escapeHtml(vm.name)}</h1><p>Run state ` +
    `<span role="status" aria-label="Run state" class="badge badge-large" data-status="${status}">` +
    `${status}</span></p></div>`
  );
}

/** JSON safe inside a `<script>` element: no `<` can end it or open a comment. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function createIndexPage(root: string) {
  const htmlFile = path.join(root, 'index.html');
  const manifestFile = path.join(root, '.vite', 'manifest.json');
  let template: Template | null = null;

  /** index.html and its preloads, read again when a build replaced it. */
  const load = (): Template | null => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(htmlFile).mtimeMs;
    } catch {
      return null;
    }
    if (template?.mtimeMs === mtimeMs) return template;
    // Comments are for whoever reads web/index.html, not bytes for every page load.
    const html = readFileSync(htmlFile, 'utf8').replace(/[ \t]*<!--[\s\S]*?-->\n?/g, '');
    let manifest: Record<string, ManifestChunk> = {};
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
    } catch {
      // No manifest (a build without it): pages load their chunks when they render.
    }
    let previewCss = '';
    try {
      // Inlined in every such page: its comments and indentation are no one's bytes.
      previewCss = readFileSync(path.join(root, 'page-preview.css'), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\s*([{}:;,])\s*/g, '$1')
        .replace(/;}/g, '}')
        .trim();
    } catch {
      // A build without it: the preview is left out rather than painted unstyled.
    }
    template = {
      mtimeMs,
      html,
      preloads: ROUTE_CHUNKS.map((r) => chunkPreloads(manifest, r.source)),
      previewCss,
    };
    return template;
  };

  return {
    /** Whether index.html exists (the SPA is built). */
    exists: () => load() !== null,
    /**
     * The page for `pathname`, or null when nothing is added to index.html (serve the file as built).
     * `snapshot`: what the page asks first, for a browser that may read it; else null.
     */
    render(pathname: string, snapshot: PageSnapshot | null, theme: ThemeChoice = null): string | null {
      const t = load();
      if (!t) return null;
      const i = ROUTE_CHUNKS.findIndex((r) => pathname.startsWith(r.prefix));
      const head = i === -1 ? '' : t.preloads[i]!;
      const data =
        snapshot === null
          ? ''
          : `<script type="application/json" id="${PAGE_SNAPSHOT_ID}">${jsonForHtml(snapshot)}</script>`;
      if (head === '' && data === '') return null;
      // Functions, not replacement strings: `$&` in a VM's error text must stay text. The data follows
      // the app's root (or ends the document, where the page has none).
      const withHead = t.html.replace('</head>', () => `${head}</head>`);
      const root = '<div id="root"></div>';
      if (!withHead.includes(root)) return withHead + data;
      const preview = snapshot === null || t.previewCss === '' ? '' : vmPagePreview(pathname, snapshot);
      const content = `<div id="root">${preview}</div>${data}`;
      return preview === ''
        ? withHead.replace(root, () => content)
        : withPreviewFirst(withHead, root, content, t.previewCss, theme);
    },
  };
}
