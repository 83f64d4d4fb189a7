import { demoToken } from './support/demo-token.ts';
import { expect, test } from './support/fixtures.ts';

test('a newcomer opens the console, picks the demo VM and sees its real QEMU version and run state', async ({
  page,
}) => {
  await page.goto(`/?token=${demoToken}`);
  // The token link sets a cookie and redirects to the same page without the token.
  await expect(page).toHaveURL(/\/$/);
  const link = page.getByRole('link', { name: 'demo', exact: true });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/vms\/demo$/);
  await expect(page.getByRole('heading', { level: 1, name: 'demo' })).toBeVisible();
  await expect(page.getByText(/QEMU 7\.2\.\d+/)).toBeVisible();
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
  await expect(page.getByRole('status', { name: /^Connection/ })).toContainText(/connected/i);
});

test('a deep link to a VM page loads directly', async ({ page }) => {
  await page.goto(`/vms/demo?token=${demoToken}`);
  await expect(page.getByRole('status', { name: 'Run state' })).toHaveText('prelaunch');
});

test('a browser without the token is told how to get in, and pasting the token opens the console', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'This console needs its token' })).toBeVisible();
  // A wrong token is said so in the app; the start link pasted as it was printed is taken apart.
  await page.getByLabel('Access token or start link').fill('not-the-token');
  await page.getByRole('button', { name: 'Open the console' }).click();
  await expect(page.getByRole('alert')).toContainText('That token is wrong for this console.');
  await expect(page.getByRole('heading', { name: 'This console needs its token' })).toBeVisible();
  await page
    .getByLabel('Access token or start link')
    .fill(`${new URL(page.url()).origin}/?token=${demoToken}`);
  await page.getByRole('button', { name: 'Open the console' }).click();
  await expect(page.getByRole('link', { name: 'demo', exact: true })).toBeVisible();
  expect(page.url()).not.toContain('token=');
  await context.close();
});
