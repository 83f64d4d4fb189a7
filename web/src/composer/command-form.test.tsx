import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { composerLifecycle, connectedComposer } from '../test-support/composer-harness.tsx';

composerLifecycle();

/** The texts an element's aria-describedby points at. */
function description(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

async function openForm(user: Awaited<ReturnType<typeof connectedComposer>>['user']) {
  await user.click(screen.getByRole('button', { name: 'Form view' }));
  return screen.getByRole('group', { name: 'Form view' });
}

describe('the form view', () => {
  it('marks the field the check finds wrong and says why under it; fixing it clears the mark', async () => {
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.paste('device_del');
    const form = await openForm(user);
    const id = within(form).getByLabelText('id (required)');
    await waitFor(() => expect(id.getAttribute('aria-invalid')).toBe('true'));
    expect(description(id)).toBe('Missing required argument "id" (string).');

    await user.click(id);
    await user.paste('net1');
    expect(line.value).toBe('device_del id=net1');
    await waitFor(() => expect(id.getAttribute('aria-invalid')).toBeNull());
    expect(id.getAttribute('aria-describedby')).toBeNull();
  });

  it('marks an unknown command in the Command field', async () => {
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.paste('qury-status');
    const form = await openForm(user);
    const command = within(form).getByLabelText('Command');
    await waitFor(() => expect(command.getAttribute('aria-invalid')).toBe('true'));
    expect(description(command)).toMatch(/^This QEMU has no command "qury-status"\./);
  });

  it('says when JSON typed into a list field does not parse yet', async () => {
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.paste('send-key');
    const form = await openForm(user);
    const keys = within(form).getByLabelText('keys (required)');
    await user.click(keys);
    await user.paste('[{"type": "qcode"');
    expect(keys.getAttribute('aria-invalid')).toBe('true');
    expect(description(keys)).toMatch(/Not JSON yet \(.*\): sent as text\./);
    await user.paste(', "data": "a"}]');
    expect(line.value).toBe('send-key keys=[{"type":"qcode","data":"a"}]');
    expect(description(keys)).not.toContain('Not JSON yet');
  });
});
