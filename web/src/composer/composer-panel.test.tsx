import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import {
  composerLifecycle,
  connectedComposer,
  mount,
  SCHEMA,
  sentCommands,
  typeAndRun,
} from '../test-support/composer-harness.tsx';
import { STORAGE_KEY, useComposerStore } from './composer-store.ts';

composerLifecycle();

describe('command composer', () => {
  it('completes query-st to query-status with Tab, runs it with Enter and shows the reply', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('query-st');
    const list = screen.getByRole('listbox', { name: 'Completions' });
    const options = within(list).getAllByRole('option');
    expect(options[0]!.textContent).toContain('query-status');
    expect(options[0]!.getAttribute('aria-selected')).toBe('true');
    expect(line.getAttribute('aria-activedescendant')).toBe(options[0]!.id);

    await user.keyboard('{Tab}');
    expect(line.value).toBe('query-status ');
    expect(screen.queryByRole('listbox', { name: 'Completions' })).toBeNull();
    expect(screen.getByText('query-status (no arguments)')).toBeTruthy();

    await user.keyboard('{Enter}');
    await waitFor(() => socket.lastSent('query-status'));
    expect(line.value).toBe('');
    await act(async () =>
      socket.reply('query-status', { running: true, singlestep: false, status: 'running' }),
    );
    const log = screen.getByRole('log', { name: 'Transcript' });
    await within(log).findByText('ok');
    expect(within(log).getByText('query-status')).toBeTruthy();
    expect(within(log).getByText('"running"')).toBeTruthy();
    expect(within(log).getByText(/\d+ ms|<1 ms/)).toBeTruthy();
  });

  it('Enter on a half-typed word with its completion highlighted accepts the completion, then runs', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('query-st');
    expect(
      within(screen.getByRole('listbox', { name: 'Completions' })).getAllByRole('option')[0]!.textContent,
    ).toContain('query-status');
    await user.keyboard('{Enter}');
    expect(line.value).toBe('query-status ');
    expect(sentCommands(socket)).toEqual([]);
    await user.keyboard('{Enter}');
    await waitFor(() => socket.lastSent('query-status'));
    expect(sentCommands(socket)).toEqual(['query-status']);
  });

  it('converts the line between qmp-shell and JSON when the mode changes, and says why not for HMP', async () => {
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.paste('block_resize device=d0 size=1024');
    await user.click(screen.getByRole('radio', { name: 'JSON' }));
    expect(JSON.parse(line.value)).toEqual({
      execute: 'block_resize',
      arguments: { device: 'd0', size: 1024 },
    });
    await user.click(screen.getByRole('radio', { name: 'qmp-shell' }));
    expect(line.value).toBe('block_resize device=d0 size=1024');
    await user.click(screen.getByRole('radio', { name: 'HMP' }));
    expect(line.value).toBe('block_resize device=d0 size=1024');
    expect(screen.getByText(/^Not converted: HMP is a different command language/)).toBeTruthy();
  });

  it('says once why a command was not sent while disconnected', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, user, line } = await connectedComposer();
    await act(async () => socket.serverClose(4001));
    await typeAndRun(user, line, 'query-status');
    const log = screen.getByRole('log', { name: 'Transcript' });
    const message = await within(log).findByText(/^Not sent: /);
    expect(message.textContent).toMatch(/^Not sent: not connected \(\w+\)\.$/);
  });

  it('walks the completion list with the arrows; Esc closes it', async () => {
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('blockdev-add driver=qco');
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map((o) => o.querySelector('.completion-label')?.textContent)).toEqual(['qcow', 'qcow2']);
    await user.keyboard('{ArrowDown}');
    expect(options[1]!.getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{Enter}'); // after moving through the list, Enter picks
    expect(line.value).toBe('blockdev-add driver=qcow2 ');
    await user.keyboard('nod');
    expect(screen.getByRole('listbox')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('flags a bad enum value before sending, and sends it anyway on request', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'blockdev-add driver=nosuchdriver');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not sent.');
    expect(alert.textContent).toMatch(
      /"driver" must be one of blkdebug, .*, not "nosuchdriver"\. \(column 14\)/,
    );
    expect(sentCommands(socket)).toEqual([]);

    await user.click(within(alert).getByRole('button', { name: 'Send anyway' }));
    await waitFor(() => socket.lastSent('blockdev-add'));
    expect(socket.lastSent('blockdev-add').arguments).toEqual({ driver: 'nosuchdriver' });
    await act(async () =>
      socket.replyError(
        'blockdev-add',
        'GenericError',
        "Parameter 'driver' does not accept value 'nosuchdriver'",
      ),
    );
    const log = screen.getByRole('log', { name: 'Transcript' });
    expect(await within(log).findByText('GenericError')).toBeTruthy();
    expect(within(log).getByText("Parameter 'driver' does not accept value 'nosuchdriver'")).toBeTruthy();
    expect(within(log).getByText('sent despite the check')).toBeTruthy();
  });

  it('flags an unknown argument of query-block', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'query-block foo=1');
    expect((await screen.findByRole('alert')).textContent).toContain(
      'query-block takes no arguments, but "foo" was given.',
    );
    expect(sentCommands(socket)).toEqual([]);
    // Editing the line clears the complaint.
    await user.type(line, 'x');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('points at a syntax error', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'device_add driver="e1000');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Unterminated " quote (column 19).');
    expect(sentCommands(socket)).toEqual([]);
  });

  it('asks before device_del, naming the VM; Cancel keeps it unsent, confirming sends it', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'device_del id=net1');
    const dialog = await screen.findByRole('dialog', { name: 'Run device_del on vm1?' });
    expect(dialog.textContent).toContain('The device is unplugged from the guest.');
    expect(document.activeElement?.textContent).toBe('Cancel');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(sentCommands(socket)).toEqual([]);
    expect(line.value).toBe('device_del id=net1'); // still there to edit

    await user.keyboard('{Enter}');
    const again = await screen.findByRole('dialog', { name: 'Run device_del on vm1?' });
    await user.click(within(again).getByRole('button', { name: 'Run device_del on vm1' }));
    await waitFor(() => socket.lastSent('device_del'));
    expect(socket.lastSent('device_del').arguments).toEqual({ id: 'net1' });
  });

  it('sends HMP lines with the CPU index and shows the text reply', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(screen.getByRole('radio', { name: 'HMP' }));
    await user.type(screen.getByRole('spinbutton', { name: 'CPU index' }), '0');
    await typeAndRun(user, line, 'info status');
    await waitFor(() => socket.lastSent('human-monitor-command'));
    expect(socket.lastSent('human-monitor-command').arguments).toEqual({
      'command-line': 'info status',
      'cpu-index': 0,
    });
    await act(async () => socket.reply('human-monitor-command', 'VM status: paused (prelaunch)\r\n'));
    const log = screen.getByRole('log', { name: 'Transcript' });
    expect((await within(log).findByText(/VM status: paused \(prelaunch\)/)).tagName).toBe('PRE');
    // Other HMP commands ask first.
    await typeAndRun(user, line, 'system_reset');
    expect(await screen.findByRole('dialog', { name: 'Run human-monitor-command on vm1?' })).toBeTruthy();
  });

  it('takes a whole JSON command in JSON mode', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(screen.getByRole('radio', { name: 'JSON' }));
    await typeAndRun(user, line, '{"execute": "query-block", "arguments": {}}');
    await waitFor(() => socket.lastSent('query-block'));
  });

  it('brings earlier commands back with ↑/↓, keeps the history in localStorage, de-duplicated', async () => {
    const { socket, user, line, unmount } = await connectedComposer();
    for (const cmd of ['query-status', 'query-name', 'query-status']) {
      await typeAndRun(user, line, cmd);
      await waitFor(() => expect(line.value).toBe(''));
    }
    expect(sentCommands(socket)).toEqual(['query-status', 'query-name', 'query-status']);
    await user.keyboard('{ArrowUp}');
    expect(line.value).toBe('query-status');
    await user.keyboard('{ArrowUp}');
    expect(line.value).toBe('query-name');
    await user.keyboard('{ArrowUp}'); // the oldest: stays
    expect(line.value).toBe('query-name');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(line.value).toBe('');

    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    expect(stored.state.vms.vm1.history).toEqual([
      { text: 'query-name', mode: 'qmp-shell' },
      { text: 'query-status', mode: 'qmp-shell' },
    ]);

    // A new page (same storage) has it too.
    unmount();
    const saved = localStorage.getItem(STORAGE_KEY)!;
    useComposerStore.setState({ vms: {} });
    localStorage.setItem(STORAGE_KEY, saved);
    await useComposerStore.persist.rehydrate();
    mount();
    const fresh = screen.getByRole('textbox', { name: 'QMP command' }) as HTMLTextAreaElement;
    await user.click(fresh);
    await user.keyboard('{ArrowUp}');
    expect(fresh.value).toBe('query-status');
  });

  it('reuses a history entry with one click, and searches the history with Ctrl+R', async () => {
    const { user, line } = await connectedComposer();
    for (const cmd of ['query-status', 'query-pci', 'query-name']) {
      await typeAndRun(user, line, cmd);
      await waitFor(() => expect(line.value).toBe(''));
    }
    await user.click(screen.getByText('History (3)'));
    await user.click(screen.getByRole('button', { name: 'Reuse query-pci' }));
    expect(line.value).toBe('query-pci');
    expect(document.activeElement).toBe(line);

    await user.clear(line);
    await user.keyboard('{Control>}r{/Control}');
    const search = screen.getByRole('searchbox', { name: 'Search history' });
    expect(document.activeElement).toBe(search);
    await user.keyboard('query');
    const matches = screen.getByRole('listbox', { name: 'History matches' });
    expect(
      within(matches)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['query-name', 'query-pci', 'query-status']);
    await user.keyboard('{Control>}r{/Control}{Enter}');
    expect(line.value).toBe('query-pci');
    expect(document.activeElement).toBe(line);
  });

  it('tells apart, in the Ctrl+R list, HMP entries that differ only in their CPU index', async () => {
    useComposerStore.setState({
      vms: {
        vm1: {
          mode: 'hmp',
          cpuIndex: null,
          history: [
            { text: 'info registers', mode: 'hmp', cpuIndex: 0 },
            { text: 'info registers', mode: 'hmp', cpuIndex: 1 },
          ],
        },
      },
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('{Control>}r{/Control}info');
    const matches = screen.getByRole('listbox', { name: 'History matches' });
    expect(
      within(matches)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['info registershmp, CPU 1', 'info registershmp, CPU 0']);
    expect(errors.mock.calls.filter((c) => String(c[0]).includes('same key'))).toEqual([]);
    await user.keyboard('{Control>}r{/Control}{Enter}');
    expect(line.value).toBe('info registers');
    expect((screen.getByRole('spinbutton', { name: 'CPU index' }) as HTMLInputElement).value).toBe('0');
  });

  it('explains policy refusals to a viewer', async () => {
    const { socket, user, line } = await connectedComposer({
      session: {
        role: 'viewer',
        auth: true,
        policy: { readOnly: false, deny: [], viewerAllow: ['query-*', 'qom-list'] },
      },
    });
    expect(await screen.findByText(/You are a viewer\. You may run: query-\*, qom-list\./)).toBeTruthy();
    await user.click(line);
    await user.keyboard('con');
    const cont = within(screen.getByRole('listbox'))
      .getAllByRole('option')
      .find((o) => o.textContent?.startsWith('cont'));
    expect(cont?.textContent).toContain('not allowed');
    await user.clear(line);
    await typeAndRun(user, line, 'cont');
    const alert = await screen.findByRole('alert');
    // The console's policy, not the schema; and nothing to send anyway.
    expect(alert.textContent).toBe(
      "Not sent. The console's policy refuses this, not QEMU: Viewers may not run cont: a viewer may run only query-*, qom-list.",
    );
    expect(alert.textContent).not.toContain('schema');
    expect(within(alert).queryByRole('button', { name: 'Send anyway' })).toBeNull();
    expect(socket.sent.filter((c) => c.execute === 'cont')).toHaveLength(0);
  });

  it('keeps big replies light: big nodes collapsed, children rendered on demand, 100 at a time', async () => {
    const { socket, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'query-qmp-schema');
    await waitFor(() => expect(socket.sent.filter((c) => c.execute === 'query-qmp-schema')).toHaveLength(2));
    await act(async () => socket.reply('query-qmp-schema', SCHEMA));
    const log = screen.getByRole('log', { name: 'Transcript' });
    const root = await within(log).findByRole('button', { name: 'reply [1051 items]' });
    expect(root.getAttribute('aria-expanded')).toBe('false');
    expect(log.querySelectorAll('.json-tree li li').length).toBe(0);
    await user.click(root);
    expect(within(log).getAllByRole('button', { name: /^\d+ \{\d+ keys?\}$/ })).toHaveLength(100);
    await user.click(within(log).getByRole('button', { name: 'Show 100 more (951 not shown)' }));
    expect(within(log).getAllByRole('button', { name: /^\d+ \{\d+ keys?\}$/ })).toHaveLength(200);
  }, 60_000);

  it('fetches the schema once per connection, again after a reconnect', async () => {
    const { socket, sockets, user, line } = await connectedComposer();
    await typeAndRun(user, line, 'query-status');
    await act(async () =>
      socket.reply('query-status', { running: true, singlestep: false, status: 'running' }),
    );
    expect(socket.sent.filter((c) => c.execute === 'query-qmp-schema')).toHaveLength(1);

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await act(async () => socket.serverClose(4001, 'QEMU connection lost'));
    await act(async () => vi.advanceTimersByTime(200));
    vi.useRealTimers();
    await waitFor(() => expect(sockets.sockets).toHaveLength(2));
    const again = sockets.last();
    await act(async () => again.handshake());
    await waitFor(() => again.lastSent('query-qmp-schema'));
  });

  it('completes device_add drivers and properties from QEMU, and checks property names', async () => {
    const { socket, user, line } = await connectedComposer();
    await user.click(line);
    await user.keyboard('device_add driver=e10');
    await waitFor(() => socket.lastSent('qom-list-types'));
    expect(socket.lastSent('qom-list-types').arguments).toEqual({ implements: 'device', abstract: false });
    await act(async () =>
      socket.reply('qom-list-types', [
        { name: 'virtio-net-pci' },
        { name: 'e1000e' },
        { name: 'e1000' },
        { name: 'isa-serial' },
      ]),
    );
    await waitFor(() =>
      expect(
        within(screen.getByRole('listbox'))
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['e1000device', 'e1000edevice']),
    );
    await user.keyboard('{Tab}');
    expect(line.value).toBe('device_add driver=e1000 ');
    await waitFor(() => socket.lastSent('device-list-properties'));
    expect(socket.lastSent('device-list-properties').arguments).toEqual({ typename: 'e1000' });
    await act(async () =>
      socket.reply('device-list-properties', [
        { name: 'netdev', type: 'str', description: 'ID of a netdev to use as a backend' },
        { name: 'mac', type: 'str', description: 'Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56' },
        { name: 'addr', type: 'int32', 'default-value': -1 },
      ]),
    );
    await user.keyboard('ma');
    await waitFor(() =>
      expect(screen.getByRole('listbox').textContent).toContain('Ethernet 6-byte MAC Address'),
    );
    await user.keyboard('{Tab}');
    expect(line.value).toBe('device_add driver=e1000 mac=');
    expect(screen.getByText(/^mac \(e1000 property\): str — Ethernet/)).toBeTruthy();

    await user.keyboard('52:54:00:12:34:56 netdve=n0{Escape}{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('e1000 has no property "netdve". Did you mean "netdev"?');
    expect(sentCommands(socket)).toEqual([]);
  });

  it('builds the line from the form view', async () => {
    const { user, line } = await connectedComposer();
    await user.click(screen.getByRole('button', { name: 'Form view' }));
    const form = screen.getByRole('group', { name: 'Form view' });
    await user.click(within(form).getByLabelText('Command'));
    await user.paste('blockdev-add');
    await user.selectOptions(within(form).getByLabelText('driver (required)'), 'file');
    await user.click(within(form).getByLabelText('filename (required)'));
    await user.paste('/tmp/d.img');
    await user.selectOptions(within(form).getByLabelText('read-only'), 'true');
    expect(line.value).toBe('blockdev-add driver=file filename=/tmp/d.img read-only=true');
  });
});
