// The event log's rows as one keyboard widget: one Tab stop, arrows and Home/End/Page keys between rows.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubConsole } from '../test-support/fake-event-log-api.ts';
import { record, sourceAt } from '../test-support/fake-event-source.ts';
import { cleanupApp, renderApp } from '../test-support/render-app.tsx';
import { rowAfterKey } from './log-list.tsx';

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => record({ seq: i + 1, event: i % 2 ? 'STOP' : 'RESUME' }));

beforeEach(() => {
  // happy-dom lays nothing out: give the log's scroller a size (20 rows of 30 px), so rows render.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
});
afterEach(() => {
  cleanupApp();
  vi.restoreAllMocks();
});

describe('rowAfterKey', () => {
  it('moves by one, by a page, to either end, never past them', () => {
    expect(rowAfterKey('ArrowUp', 5, 10, 4)).toBe(4);
    expect(rowAfterKey('ArrowDown', 5, 10, 4)).toBe(6);
    expect(rowAfterKey('ArrowDown', 9, 10, 4)).toBe(9);
    expect(rowAfterKey('ArrowUp', 0, 10, 4)).toBe(0);
    expect(rowAfterKey('PageUp', 5, 10, 4)).toBe(1);
    expect(rowAfterKey('PageUp', 2, 10, 4)).toBe(0);
    expect(rowAfterKey('PageDown', 7, 10, 4)).toBe(9);
    expect(rowAfterKey('Home', 5, 10, 4)).toBe(0);
    expect(rowAfterKey('End', 5, 10, 4)).toBe(9);
  });
});

describe("the event log's rows", () => {
  it('are one Tab stop (the newest row); arrows, Home and End move focus, also to rows scrolled out of view', async () => {
    const user = userEvent.setup();
    const { sources } = stubConsole(rows(200));
    renderApp('/vms/vm1/events');
    const es = await waitFor(() => sourceAt(sources, '/api/vms/vm1/events/stream'));
    await act(async () => es.snapshot(200));
    const log = await screen.findByRole('region', { name: 'Event log of vm1' });
    await waitFor(() => expect(log.querySelector('li[aria-posinset="200"]')).not.toBeNull());

    const stops = () => [...log.querySelectorAll<HTMLElement>('button')].filter((b) => b.tabIndex === 0);
    const focusedRow = () => document.activeElement?.closest('li')?.getAttribute('aria-posinset');
    expect(stops()).toHaveLength(1);
    expect(stops()[0]!.closest('li')!.getAttribute('aria-posinset')).toBe('200');
    // The region is no stop of its own while it has rows.
    expect(log.hasAttribute('tabindex')).toBe(false);

    stops()[0]!.focus();
    await user.keyboard('{ArrowUp}');
    await waitFor(() => expect(focusedRow()).toBe('199'));
    await user.keyboard('{ArrowUp}{ArrowDown}');
    await waitFor(() => expect(focusedRow()).toBe('199'));
    await user.keyboard('{PageUp}');
    await waitFor(() => expect(Number(focusedRow())).toBeLessThan(190));
    // The oldest row was never rendered: Home renders it and focuses it.
    await user.keyboard('{Home}');
    await waitFor(() => expect(focusedRow()).toBe('1'));
    expect(stops()).toHaveLength(1);
    await user.keyboard('{Enter}');
    const first = within(log.querySelector<HTMLElement>('li[aria-posinset="1"]')!).getByRole('button');
    expect(first.getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{End}');
    await waitFor(() => expect(focusedRow()).toBe('200'));

    // A live event does not take the stop from the row the person is on.
    await act(async () => es.record(record({ seq: 201, event: 'RESUME' })));
    await waitFor(() => expect(log.querySelector('li')?.getAttribute('aria-setsize')).toBe('201'));
    expect(stops()).toHaveLength(1);
    expect(stops()[0]!.closest('li')!.getAttribute('aria-posinset')).toBe('200');
  });
});
