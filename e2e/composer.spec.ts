// The command composer against the real demo VM: completion, checking before sending and while typing,
// qmp-shell's multi-line transaction, confirmation, HMP, history across a reload, and a NIC added
// through it showing up in the PCI panel.
import { demoToken } from './support/demo-token.ts';
import { expect, seriousA11yViolations, test } from './support/fixtures.ts';

test('an operator drives QEMU from the composer, keyboard first', async ({ page }) => {
  await page.goto(`/vms/demo/composer?token=${demoToken}`);
  const line = page.getByRole('textbox', { name: 'QMP command' });
  await expect(page.getByText(/^Schema: \d+ commands/)).toBeVisible();
  const log = page.getByRole('log', { name: 'Transcript' });
  const entry = (command: string) => log.locator('.transcript-entry').filter({ hasText: command }).first();

  // query-st, Tab completes to query-status, Enter shows the reply.
  await line.click();
  await line.pressSequentially('query-st');
  await expect(page.getByRole('listbox', { name: 'Completions' }).getByRole('option').first()).toContainText(
    'query-status',
  );
  await line.press('Tab');
  await expect(line).toHaveValue('query-status ');
  await line.press('Enter');
  await expect(line).toHaveValue('');
  await expect(entry('query-status').locator('.entry-status')).toHaveText('ok');
  await expect(entry('query-status')).toContainText(/status: "\w+"/);

  // A NIC through device_add.
  await line.fill('device_add driver=e1000 id=net1');
  await line.press('Enter');
  await expect(entry('device_add driver=e1000 id=net1').locator('.entry-status')).toHaveText('ok');

  // device_del asks first, naming the VM; cancelled, nothing is sent.
  await line.fill('device_del id=net1');
  await line.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Run device_del on demo?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Run device_del on demo' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(log.locator('.transcript-entry').filter({ hasText: 'device_del' })).toHaveCount(0);

  // Flagged before sending: a bad enum value, an unknown argument.
  await line.fill('blockdev-add driver=nosuchdriver');
  await line.press('Enter');
  await expect(page.getByRole('alert')).toContainText(/"driver" must be one of .*, not "nosuchdriver"/);
  await expect(page.getByRole('alert').getByRole('button', { name: 'Send anyway' })).toBeVisible();
  await line.fill('query-block foo=1');
  await line.press('Enter');
  await expect(page.getByRole('alert')).toContainText('query-block takes no arguments, but "foo" was given.');
  await expect(log.locator('.transcript-entry').filter({ hasText: /blockdev-add|query-block/ })).toHaveCount(
    0,
  );

  // HMP mode: the text reply.
  await page.getByRole('radio', { name: 'HMP' }).check();
  await line.fill('info status');
  await line.press('Enter');
  await expect(entry('info status').locator('pre')).toContainText('VM status:');

  // ↑ brings the previous command back, and the one before.
  await line.press('ArrowUp');
  await expect(line).toHaveValue('info status');
  await line.press('ArrowUp');
  await expect(line).toHaveValue('device_add driver=e1000 id=net1');
  await expect(page.getByRole('radio', { name: 'qmp-shell' })).toBeChecked();

  // The history survives a reload.
  await page.reload();
  await expect(page.getByText(/^Schema: \d+ commands/)).toBeVisible();
  await line.click();
  await line.press('ArrowUp');
  await expect(line).toHaveValue('info status');
  await expect(page.getByRole('radio', { name: 'HMP' })).toBeChecked();

  // The NIC is in the PCI panel.
  await page.getByRole('link', { name: 'PCI', exact: true }).click();
  await expect(page.getByText(/id net1/).first()).toBeVisible();
});

test('the composer checks the line as the user types and runs a multi-line transaction', async ({ page }) => {
  // Real QEMU round trips and an axe pass: on a busy 2-core machine this takes more than the default budget.
  test.slow();
  await page.goto(`/vms/demo/composer?token=${demoToken}`);
  const line = page.getByRole('textbox', { name: 'QMP command' });
  await expect(page.getByText(/^Schema: \d+ commands/)).toBeVisible();
  const log = page.getByRole('log', { name: 'Transcript' });
  const entry = (command: string) => log.locator('.transcript-entry').filter({ hasText: command }).first();

  // Checked while typing (no Enter): the "Did you mean" is a button that fixes the line.
  await line.fill('qury-status');
  const fix = page.getByRole('button', { name: 'Did you mean "query-status"?' });
  await expect(fix).toBeVisible();
  await expect(line).toHaveAttribute('aria-invalid', 'true');
  await expect(line).toHaveCSS('border-top-color', 'rgb(198, 40, 40)'); // the app's --bad
  await fix.click();
  await expect(line).toHaveValue('query-status');
  await expect(line).toBeFocused();
  await expect(line).not.toHaveAttribute('aria-invalid', 'true');
  await line.fill('');
  await line.focus();

  // qmp-shell's multi-line transaction: Enter adds a line while it is open, the line with ) runs it.
  const bitmaps = [`b${Date.now()}a`, `b${Date.now()}b`];
  await line.pressSequentially('transaction(');
  await line.press('Enter');
  await expect(page.getByText(/Transaction open: one action per line/)).toBeVisible();
  for (const name of bitmaps) {
    await page.keyboard.insertText(`block-dirty-bitmap-add node=disk0 name=${name}`);
    await line.press('Escape');
    await line.press('Enter');
  }
  await expect(line).toHaveValue(
    `transaction(\n${bitmaps.map((b) => `block-dirty-bitmap-add node=disk0 name=${b}\n`).join('')}`,
  );
  await expect(log.locator('.transcript-entry').filter({ hasText: 'transaction' })).toHaveCount(0);
  await line.press(')');
  await line.press('Enter');
  await expect(line).toHaveValue('');
  await expect(entry('transaction(').locator('.entry-status')).toHaveText('ok');
  // QEMU made both bitmaps: removing each succeeds (a missing one is an error).
  for (const name of bitmaps) {
    const remove = `block-dirty-bitmap-remove node=disk0 name=${name}`;
    await line.fill(remove);
    await line.press('Enter');
    await expect(entry(remove).locator('.entry-status')).toHaveText('ok');
  }

  // The form view marks the field the check finds wrong, with its message; with the line's own complaint
  // shown too, axe finds nothing serious.
  await line.fill('device_del');
  await page.getByRole('button', { name: 'Form view' }).click();
  const id = page.getByRole('group', { name: 'Form view' }).getByLabel('id (required)');
  await expect(id).toHaveAttribute('aria-invalid', 'true');
  await expect(id).toHaveAccessibleDescription('Missing required argument "id" (string).');
  await expect(page.getByRole('list', { name: 'Problems the schema finds' })).toBeVisible();
  expect(await seriousA11yViolations(page)).toEqual([]);
});

test('the composer keeps the keyboard, shows the schema itself quickly, and passes axe', async ({ page }) => {
  // QEMU's whole schema as a reply and an axe pass: on a busy 2-core machine more than the default budget.
  test.slow();
  await page.goto(`/vms/demo/composer?token=${demoToken}`);
  const line = page.getByRole('textbox', { name: 'QMP command' });
  await expect(page.getByText(/^Schema: \d+ commands/)).toBeVisible();
  const log = page.getByRole('log', { name: 'Transcript' });

  // Completion list open: axe finds nothing serious.
  await line.fill('query-status');
  await line.press('Enter');
  await expect(log.locator('.transcript-entry .entry-status').first()).toHaveText('ok');
  await line.pressSequentially('blockdev-add driver=q');
  await expect(page.getByRole('listbox', { name: 'Completions' })).toBeVisible();
  await expect(page.locator('.command-hint')).toContainText('driver (required): one of');
  expect(await seriousA11yViolations(page)).toEqual([]);

  // The biggest reply there is: collapsed at first, opened 100 entries at a time.
  await line.fill('query-qmp-schema');
  await line.press('Enter');
  const root = log.getByRole('button', { name: /^reply \[\d+ items\]$/ });
  await expect(root).toHaveAttribute('aria-expanded', 'false');
  await root.click();
  await expect(log.getByRole('button', { name: /^\d+ \{\d+ keys?\}$/ })).toHaveCount(100);

  await line.fill('');
  await line.pressSequentially('blockdev-add driver=q');
  await expect(page.getByRole('listbox', { name: 'Completions' })).toBeVisible();

  // Esc closes the list; then Tab leaves the line (no keyboard trap).
  await line.press('Escape');
  await expect(page.getByRole('listbox', { name: 'Completions' })).toBeHidden();
  await line.press('Tab');
  await expect(line).not.toBeFocused();

  // Ctrl+R searches the history (and does not reload the page).
  await line.focus();
  await line.fill('');
  await line.press('Control+r');
  const search = page.getByRole('searchbox', { name: 'Search history' });
  await expect(search).toBeFocused();
  await search.pressSequentially('schema');
  await search.press('Enter');
  await expect(line).toHaveValue('query-qmp-schema');
  await expect(line).toBeFocused();
  await expect(root).toBeVisible(); // same page: the transcript is still there
});
