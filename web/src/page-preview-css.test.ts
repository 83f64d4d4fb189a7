// public/page-preview.css paints a VM page as served, before the app's stylesheets arrive; the app's
// stylesheets then take over. Every value it sets must be the app's own, or the page would change
// colour or size when they do.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const web = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(web, file), 'utf8');

interface Rule {
  media: string | null;
  selectors: string[];
  decls: Map<string, string>;
}

/** Rules and `@media` blocks one level deep: enough for these stylesheets. */
function parse(css: string, media: string | null = null): Rule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const rules: Rule[] = [];
  const re = /(@media[^{]+)\{((?:[^{}]*\{[^}]*\})*)\s*\}|([^{}@]+)\{([^}]*)\}/g;
  for (const m of text.matchAll(re)) {
    if (m[1]) {
      rules.push(...parse(m[2]!, m[1].trim()));
      continue;
    }
    const decls = new Map<string, string>();
    for (const d of m[4]!.split(';')) {
      const i = d.indexOf(':');
      if (i > 0) decls.set(d.slice(0, i).trim(), d.slice(i + 1).trim());
    }
    rules.push({ media, selectors: m[3]!.split(',').map((s) => s.trim()), decls });
  }
  return rules;
}

const app = [...parse(read('src/styles.css')), ...parse(read('src/vm-info/vm-info.css'))].filter(
  (r) => r.media === null,
);

/** `prop`'s value in `rule`, a `var(--x)` the same rule defines resolved. */
function valueIn(rule: Rule, prop: string): string | undefined {
  const v = rule.decls.get(prop);
  const ref = v === undefined ? undefined : /^var\((--[\w-]+)\)$/.exec(v)?.[1];
  return ref && rule.decls.has(ref) ? rule.decls.get(ref) : v;
}

/** `prop`'s value for `selector` in the app's stylesheets. */
function appValue(selector: string, prop: string): string | undefined {
  const rule = app.find((r) => r.selectors.includes(selector) && r.decls.has(prop));
  return rule && valueIn(rule, prop);
}

describe('public/page-preview.css', () => {
  const preview = parse(read('public/page-preview.css'));

  it('sets only what the app sets, to the same values (the OS dark mode as the dark theme)', () => {
    let checked = 0;
    for (const rule of preview) {
      for (const selector of rule.selectors) {
        // Only the preview has this element; the app never renders it.
        if (selector === '.page-preview') continue;
        const as = rule.media ? ':root[data-theme="dark"]' : selector;
        for (const prop of rule.decls.keys()) {
          const value = valueIn(rule, prop);
          expect({ selector, prop, value }).toEqual({ selector, prop, value: appValue(as, prop) });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('styles the run-state badge for every status the app colours', () => {
    const statuses = (rules: Rule[]) =>
      rules.flatMap((r) => r.selectors).filter((s) => s.startsWith('.badge[data-status='));
    expect(statuses(preview).sort()).toEqual(statuses(app).sort());
  });
});
