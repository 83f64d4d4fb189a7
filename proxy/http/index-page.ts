// index.html as each page needs it. A VM's page (`/vms/NAME…`) names its lazy chunk in the head, so the
// browser fetches it alongside the app's own code instead of after that code has run; and a browser that
// holds a token gets the console's VM list and its session in the page itself (a JSON data block: no
// script runs from it, so the CSP stays `script-src 'self'`): the run state paints without another
// round trip. Its run state is in the page's markup too, painted before any code has run.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PAGE_SNAPSHOT_ID, type PageSnapshot } from '../../protocol/api.ts';

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
    template = { mtimeMs, html, preloads: ROUTE_CHUNKS.map((r) => chunkPreloads(manifest, r.source)) };
    return template;
  };

  return {
    /** Whether index.html exists (the SPA is built). */
    exists: () => load() !== null,
    /**
     * The page for `pathname`, or null when nothing is added to index.html (serve the file as built).
     * `snapshot`: what the page asks first, for a browser that may read it; else null.
     */
    render(pathname: string, snapshot: PageSnapshot | null): string | null {
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
      const preview = snapshot === null ? '' : vmPagePreview(pathname, snapshot);
      return withHead.includes(root)
        ? withHead.replace(root, () => `<div id="root">${preview}</div>${data}`)
        : withHead + data;
    },
  };
}
