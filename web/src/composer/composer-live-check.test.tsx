import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { composerLifecycle, connectedComposer, sentCommands } from '../test-support/composer-harness.tsx';

composerLifecycle();

/** The region that says, as typing pauses, what is wrong with the line (the line is described by it). */
function liveRegion(line: HTMLElement): HTMLElement {
  const ids = (line.getAttribute('aria-describedby') ?? '').split(' ');
  const region = ids.map((id) => document.getElementById(id)).find((el) => el?.matches('[aria-live]'));
  if (!region) throw new Error('the line is not described by a live region');
  return region;
}

describe('the composer checks the line as the user types', () => {
  it('says what is wrong once typing pauses, without Enter, and the suggestion fixes the command name', async () => {
    const { socket, user, line } = await connectedComposer();
    const region = liveRegion(line);
    expect(region.getAttribute('aria-live')).toBe('polite');
    await user.click(line);
    await user.keyboard('qury-status');
    await within(region).findByText(/This QEMU has no command "qury-status"\./);
    expect(line.getAttribute('aria-invalid')).toBe('true');
    expect(sentCommands(socket)).toEqual([]);
    expect(screen.queryByRole('alert')).toBeNull(); // polite: not an alert

    await user.click(within(region).getByRole('button', { name: 'Did you mean "query-status"?' }));
    expect(line.value).toBe('query-status');
    expect(document.activeElement).toBe(line);
    await waitFor(() => expect(line.getAttribute('aria-invalid')).toBeNull());
    expect(region.textContent).toBe('');
    expect(sentCommands(socket)).toEqual([]);
  });

  it('fixes an argument name and an enum value in place, keeping the rest of the line', async () => {
    const { user, line } = await connectedComposer();
    const region = liveRegion(line);
    await user.click(line);
    await user.paste('device_del ids=net1');
    await user.click(await within(region).findByRole('button', { name: 'Did you mean "id"?' }));
    expect(line.value).toBe('device_del id=net1');

    await user.clear(line);
    await user.paste('blockdev-add node-name=n0 driver="qcow3" file=f0');
    const fix = await within(region).findByRole('button', { name: 'Did you mean "qcow2"?' });
    expect(region.textContent).toMatch(
      /"driver" must be one of .*, not "qcow3"\. Did you mean "qcow2"\? \(column 27\)/,
    );
    await user.click(fix);
    expect(line.value).toBe('blockdev-add node-name=n0 driver="qcow2" file=f0');
  });

  it('fixes a name inside a JSON command, and an action type of a transaction still open', async () => {
    const { user, line } = await connectedComposer();
    const region = liveRegion(line);
    await user.click(screen.getByRole('radio', { name: 'JSON' }));
    await user.click(line);
    await user.paste('{"execute": "qury-status"}');
    await user.click(await within(region).findByRole('button', { name: 'Did you mean "query-status"?' }));
    expect(line.value).toBe('{"execute": "query-status"}');

    await user.click(screen.getByRole('radio', { name: 'qmp-shell' }));
    await user.clear(line);
    await user.paste('transaction(\nblock-dirty-bitmap-ad node=disk0 name=b1\n');
    // Open (no ")" yet): checked as if closed now, and not told to close it.
    const fix = await within(region).findByRole('button', { name: 'Did you mean "block-dirty-bitmap-add"?' });
    expect(region.textContent).toContain('(line 2, column 1)');
    expect(region.textContent).not.toContain('Close the transaction');
    await user.click(fix);
    expect(line.value).toBe('transaction(\nblock-dirty-bitmap-add node=disk0 name=b1\n');
  });

  it('says a syntax error as typing pauses, and offers the fix in the notice after Enter too', async () => {
    const { socket, user, line } = await connectedComposer();
    const region = liveRegion(line);
    await user.click(line);
    await user.paste('device_add driver="e1000');
    await within(region).findByText('Unterminated " quote (column 19).');

    await user.clear(line);
    await user.paste('query-block foo=1 ');
    await within(region).findByText(/query-block takes no arguments/);
    await user.clear(line);
    await user.paste('device_del ids=net1');
    await user.keyboard('{Escape}{Enter}');
    const alert = await screen.findByRole('alert');
    // One notice at a time: the live region stays quiet while the notice says it.
    expect(region.textContent).toBe('');
    await user.click(within(alert).getByRole('button', { name: 'Did you mean "id"?' }));
    expect(line.value).toBe('device_del id=net1');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(sentCommands(socket)).toEqual([]);
  });
});
