import { readFileSync } from 'node:fs';
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { THEME_COOKIE } from '../../../protocol/api.ts';
import { Layout } from './layout.tsx';
import {
  applyThemeToDocument,
  PREFERENCES_KEY,
  preferencesReset,
  preferencesState,
  rehydratePreferences,
  themeChosen,
} from './preferences.ts';
import { Timestamp } from './timestamp.tsx';

const AT = '2026-11-30T10:16:53.000Z';

/** A matchMedia whose prefers-color-scheme answer the test sets. */
function fakeSystemTheme(dark: boolean) {
  const listeners = new Set<() => void>();
  const media = {
    get matches() {
      return dark;
    },
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  vi.stubGlobal('matchMedia', () => media);
  return {
    set(next: boolean) {
      dark = next;
      for (const l of listeners) l();
    },
  };
}

function renderLayout() {
  const { hook } = memoryLocation({ path: '/' });
  return render(
    <Router hook={hook}>
      <Layout status={<a href="/events">All events</a>}>
        <h1>Content</h1>
        <Timestamp at={AT} />
      </Layout>
    </Router>,
  );
}

beforeEach(() => {
  localStorage.clear();
  preferencesReset();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete document.documentElement.dataset.theme;
});

describe('the display preferences', () => {
  it('switches every time on the page between local time and UTC from the display menu, and keeps the choice', async () => {
    const user = userEvent.setup();
    renderLayout();
    const time = screen.getByText(/^2026-11-30 /);
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('datetime')).toBe(AT);
    expect(preferencesState().timeZone).toBe('local');

    await user.click(screen.getByText('Display'));
    await user.click(screen.getByRole('radio', { name: 'UTC' }));
    expect(time.textContent).toBe('2026-11-30 10:16:53 UTC');
    const stored = JSON.parse(localStorage.getItem(PREFERENCES_KEY) ?? '{}');
    expect(stored.state).toMatchObject({ timeZone: 'utc', theme: 'system' });

    // Escape closes the menu and gives the keyboard back to it.
    await user.keyboard('{Escape}');
    expect(screen.getByText('Display').closest('details')?.open).toBe(false);
    expect(document.activeElement?.tagName).toBe('SUMMARY');
  });

  it('reads what an earlier visit stored, leaving out a value it does not know', async () => {
    localStorage.setItem(
      PREFERENCES_KEY,
      JSON.stringify({ state: { theme: 'neon', timeZone: 'utc' }, version: 1 }),
    );
    await act(() => rehydratePreferences());
    expect(preferencesState()).toMatchObject({ theme: 'system', timeZone: 'utc' });
  });

  it('keeps <html data-theme> on the chosen theme, or the OS one while the choice is "system"', () => {
    const system = fakeSystemTheme(false);
    const stop = applyThemeToDocument();
    const root = document.documentElement;
    expect(root.dataset.theme).toBe('light');
    system.set(true);
    expect(root.dataset.theme).toBe('dark');
    act(() => themeChosen('light'));
    expect(root.dataset.theme).toBe('light');
    system.set(false);
    act(() => themeChosen('dark'));
    expect(root.dataset.theme).toBe('dark');
    // The choice reaches the console as a cookie (the page it serves starts in that theme); the OS's does not.
    expect(document.cookie).toContain(`${THEME_COOKIE}=dark`);
    act(() => themeChosen('system'));
    expect(document.cookie).not.toContain(THEME_COOKIE);
    act(() => themeChosen('dark'));
    stop();
    act(() => themeChosen('light'));
    expect(root.dataset.theme).toBe('dark');
  });

  it("public/theme-init.js reads the key and shape this store writes (it runs before the app's bundle)", () => {
    fakeSystemTheme(false);
    const script = readFileSync('web/public/theme-init.js', 'utf8');
    act(() => themeChosen('dark'));
    delete document.documentElement.dataset.theme;
    new Function(script)();
    expect(document.documentElement.dataset.theme).toBe('dark');
    act(() => themeChosen('system'));
    new Function(script)();
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

describe('the skip link', () => {
  it('is the first Tab stop and moves the keyboard to the page content', async () => {
    const user = userEvent.setup();
    renderLayout();
    await user.tab();
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    expect(document.activeElement).toBe(skip);
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('main'));
    // No hash left in the address: routes are paths.
    expect(window.location.hash).toBe('');
  });
});
