import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  composerLifecycle,
  connectedComposer,
  sentCommands,
  typeAndRun,
} from '../test-support/composer-harness.tsx';

composerLifecycle();

/** The texts the line's aria-describedby points at. */
function description(line: HTMLElement): string {
  return (line.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

describe("qmp-shell's multi-line transaction in the composer", () => {
  it('Enter inside transaction( adds a line for the next action; the line with ) sends one transaction', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('transaction({Enter}');
    expect(line.value).toBe('transaction(\n');
    expect(sentCommands(socket)).toEqual([]);
    // The line says a transaction is open (qmp-shell's TRANS> prompt).
    expect(screen.getByText(/Transaction open: one action per line/)).toBeTruthy();
    expect(description(line)).toContain('Transaction open');

    await user.paste('block-dirty-bitmap-add node=disk0 name=b1');
    await user.keyboard('{Escape}{Enter}');
    await user.paste('block-dirty-bitmap-add node=disk0 name=b2');
    await user.keyboard('{Escape}{Enter}');
    expect(line.value).toBe(
      'transaction(\nblock-dirty-bitmap-add node=disk0 name=b1\nblock-dirty-bitmap-add node=disk0 name=b2\n',
    );
    expect(sentCommands(socket)).toEqual([]);

    await user.keyboard('){Enter}');
    await waitFor(() => socket.lastSent('transaction'));
    expect(socket.lastSent('transaction').arguments).toEqual({
      actions: [
        { type: 'block-dirty-bitmap-add', data: { node: 'disk0', name: 'b1' } },
        { type: 'block-dirty-bitmap-add', data: { node: 'disk0', name: 'b2' } },
      ],
    });
    expect(line.value).toBe('');
    expect(screen.queryByText(/Transaction open/)).toBeNull();
    await act(async () => socket.reply('transaction', {}));
    const log = screen.getByRole('log', { name: 'Transcript' });
    expect(await within(log).findByText('ok')).toBeTruthy();
  });

  it('sends at once when the last action ends with ), as qmp-shell does', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'transaction(\nabort\nblock-dirty-bitmap-add node=disk0 name=b1 )');
    await waitFor(() => socket.lastSent('transaction'));
    expect(socket.lastSent('transaction').arguments).toEqual({
      actions: [
        { type: 'abort', data: {} },
        { type: 'block-dirty-bitmap-add', data: { node: 'disk0', name: 'b1' } },
      ],
    });
  });

  it("refuses a transaction whose action the console's policy denies, with no Send anyway", async () => {
    const { socket, user, line } = await connectedComposer({
      session: {
        role: 'operator',
        auth: true,
        policy: { readOnly: false, deny: ['block-dirty-bitmap-*'], viewerAllow: ['query-*'] },
      },
    });
    await user.click(line);
    await user.paste('transaction(\nabort\nblock-dirty-bitmap-add node=disk0 name=b1\n)');
    // Said while typing (once the session is known), and again on Enter.
    expect(
      await screen.findByText(/The transaction's action block-dirty-bitmap-add is refused/),
    ).toBeTruthy();
    await user.keyboard('{Escape}{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      "The transaction's action block-dirty-bitmap-add is refused. The console's policy denies block-dirty-bitmap-add to everyone (--deny 'block-dirty-bitmap-*').",
    );
    expect(within(alert).queryByRole('button', { name: 'Send anyway' })).toBeNull();
    expect(sentCommands(socket)).toEqual([]);
  });
});
