// axe on every page of the console, desktop and a 390 × 844 phone, light and dark (chosen in the
// display menu, as a person would): no serious or critical violation anywhere.
import type { Browser, Page } from '@playwright/test';
import { demoToken } from './support/demo-token.ts';
import { expect, seriousA11yViolations, test } from './support/fixtures.ts';

/** Every page, with what shows it has loaded (the demo VM of the console under test). */
const PAGES: { path: string; ready: (page: Page) => Promise<void> }[] = [
  { path: '/', ready: (p) => expect(p.getByRole('link', { name: 'demo', exact: true })).toBeVisible() },
  { path: '/events', ready: (p) => expect(p.locator('.log-connection')).toHaveText('Live') },
  ...['', 'block', 'cpus', 'memory', 'chardev', 'pci', 'display', 'qom'].map((section) => ({
    path: `/vms/demo${section ? `/${section}` : ''}`,
    ready: async (p: Page) => {
      await expect(p.getByRole('status', { name: 'Run state' })).toBeVisible();
      await expect(p.locator('.panel').first()).toBeVisible();
      await expect(p.getByText(/^Loading|^Asking/)).toHaveCount(0);
    },
  })),
  { path: '/vms/demo/events', ready: (p) => expect(p.locator('.log-connection')).toHaveText('Live') },
  {
    path: '/vms/demo/composer',
    ready: (p) => expect(p.getByRole('textbox').first()).toBeVisible(),
  },
  { path: '/vms/demo/jobs', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/vms/demo/migration', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/vms/demo/serial', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  { path: '/vms/demo/network', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  {
    path: '/alerts',
    ready: (p) => expect(p.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible(),
  },
  { path: '/audit', ready: (p) => expect(p.getByRole('table', { name: /^Commands/ })).toBeVisible() },
];

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** A browser context whose stored display choice is `theme` (as the display menu stores it). */
async function themedPage(browser: Browser, viewport: keyof typeof VIEWPORTS, theme: 'light' | 'dark') {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport] });
  await context.addInitScript((t) => {
    localStorage.setItem(
      'qmp-console.preferences',
      JSON.stringify({ state: { theme: t, timeZone: 'local' }, version: 1 }),
    );
  }, theme);
  return { context, page: await context.newPage() };
}

for (const viewport of ['desktop', 'phone'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`axe: no serious or critical violation on any page, ${viewport}, ${theme}`, async ({ browser }) => {
      test.setTimeout(600_000);
      const { context, page } = await themedPage(browser, viewport, theme);
      // The token page, before the cookie exists.
      await page.goto('/');
      await expect(page.getByRole('heading', { name: 'This console needs its token' })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const found: Record<string, unknown> = {};
      const check = async (what: string) => {
        const violations = await seriousA11yViolations(page);
        if (violations.length > 0) found[what] = violations;
      };
      await check('token page');
      await page.goto(`/?token=${demoToken}`);
      for (const { path, ready } of PAGES) {
        await page.goto(path);
        await ready(page);
        await check(path);
      }
      // The display menu open, and an event's JSON shown.
      await page.locator('header .display-menu > summary').click();
      await check('display menu open');
      await page.goto('/vms/demo/events');
      await page.locator('.log-row-main').first().click();
      await expect(page.locator('.log-json').first()).toBeVisible();
      await page.getByText('Time range').click();
      await check('event log, a row and the time range open');
      expect(found).toEqual({});
      await context.close();
    });
  }
}
