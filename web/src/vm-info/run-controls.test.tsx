import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupApp, VM1 } from '../test-support/render-app.tsx';
import {
  type ApiAnswer,
  answer,
  answerError,
  commandList,
  connectedAt,
  sentCount,
  stubConsoleApi,
  withRunState,
} from '../test-support/test-console.ts';

afterEach(cleanupApp);

async function statusPanel(session?: ApiAnswer, status = 'prelaunch') {
  const api = stubConsoleApi({
    vms: [withRunState(VM1, status)],
    ...(session !== undefined ? { session } : {}),
  });
  const app = await connectedAt('/vms/vm1/memory');
  await answer(app.socket, 'query-commands', commandList());
  const region = await screen.findByRole('region', { name: 'Status' });
  const controls = await within(region).findByRole('group', { name: 'Run-state controls' });
  return { ...app, api, region, controls };
}

const button = (controls: HTMLElement, name: RegExp) => within(controls).getByRole('button', { name });

describe('run-state controls', () => {
  it('Resume sends cont at once; Pause is off while the VM is not running', async () => {
    const { socket, controls, api } = await statusPanel();
    expect((button(controls, /^Pause$/) as HTMLButtonElement).disabled).toBe(true);
    const listReads = api.calls.filter((u) => u === '/api/vms').length;
    api.routes.vms = [withRunState(VM1, 'running')];
    await userEvent.click(button(controls, /^Resume$/));
    await waitFor(() => expect(sentCount(socket, 'cont')).toBe(1));
    await act(async () => socket.reply('cont'));
    // Without the console stream, the command's own refresh asks the console for the run state.
    await waitFor(() => expect(api.calls.filter((u) => u === '/api/vms').length).toBe(listReads + 1));
    expect(sentCount(socket, 'query-status')).toBe(0);
    await waitFor(() => expect((button(controls, /^Resume$/) as HTMLButtonElement).disabled).toBe(true));
    expect((button(controls, /^Pause$/) as HTMLButtonElement).disabled).toBe(false);
  });

  it.each([
    ['Reset', 'system_reset'],
    ['Power down', 'system_powerdown'],
    ['Quit', 'quit'],
  ])(
    '%s asks first in a dialog naming the VM; Cancel sends nothing, confirming sends %s',
    async (label, command) => {
      const { socket, controls } = await statusPanel(undefined, 'running');
      await userEvent.click(button(controls, new RegExp(`^${label}`)));
      const dialog = await screen.findByRole('dialog', { name: `${label} vm1?` });
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
      await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(sentCount(socket, command)).toBe(0);
      // Focus returns to the button that asked, not to <body>.
      expect(document.activeElement).toBe(button(controls, new RegExp(`^${label}`)));

      await userEvent.click(button(controls, new RegExp(`^${label}`)));
      const again = await screen.findByRole('dialog', { name: `${label} vm1?` });
      expect(again.textContent).toContain(`${command} on vm1`);
      await userEvent.click(within(again).getByRole('button', { name: `${label} vm1` }));
      await waitFor(() => expect(sentCount(socket, command)).toBe(1));
      expect(screen.queryByRole('dialog')).toBeNull();
    },
  );

  it('Resume into a known fault (io-error) asks first, Cancel focused; Escape returns focus to Resume', async () => {
    const { socket, controls } = await statusPanel(undefined, 'io-error');
    const resume = button(controls, /^Resume/);
    await userEvent.click(resume);
    const dialog = await screen.findByRole('dialog', { name: 'Resume vm1?' });
    expect(dialog.textContent).toContain('io-error');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(sentCount(socket, 'cont')).toBe(0);
    expect(document.activeElement).toBe(button(controls, /^Resume/));
    await userEvent.click(button(controls, /^Resume/));
    await userEvent.click(
      within(await screen.findByRole('dialog', { name: 'Resume vm1?' })).getByRole('button', {
        name: 'Resume vm1',
      }),
    );
    await waitFor(() => expect(sentCount(socket, 'cont')).toBe(1));
  });

  it("shows QMP's error when a command fails", async () => {
    const { socket, region, controls } = await statusPanel();
    await userEvent.click(button(controls, /^Resume$/));
    await answerError(socket, 'cont', 'GenericError', 'Resetting the Virtual Machine is required');
    const alert = await within(region).findByRole('alert');
    expect(alert.textContent).toContain(
      'Resume (cont) failed: GenericError: Resetting the Virtual Machine is required',
    );
  });

  it('greys out every control for a viewer', async () => {
    const { controls, region } = await statusPanel({
      role: 'viewer',
      auth: true,
      policy: { readOnly: false, deny: [], viewerAllow: ['query-*', 'qom-list'] },
    });
    await waitFor(() => expect((button(controls, /^Resume$/) as HTMLButtonElement).disabled).toBe(true));
    for (const b of within(controls).getAllByRole('button'))
      expect((b as HTMLButtonElement).disabled).toBe(true);
    expect(region.textContent).toContain('Run-state controls are for operators');
  });

  it('keeps the controls for an operator, and when the console has no session API (404)', async () => {
    const { controls } = await statusPanel();
    expect((button(controls, /^Reset/) as HTMLButtonElement).disabled).toBe(false);
  });
});
