// The person's display choices, kept in this browser (localStorage): the theme (the OS's, light or dark)
// and the zone times are written in (local or UTC). Client state only; the console knows nothing of it.
//
// public/theme-init.js reads the same key before the first paint (CSP allows no inline script), so
// the page never flashes light before turning dark. Keep PREFERENCES_KEY and its shape in step with it.
// A chosen light or dark also goes into a cookie: a VM's page as served paints before theme-init.js
// has run, in the theme the console read from it.
import { useCallback } from 'react';
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { THEME_COOKIE } from '../../../protocol/api.ts';
import { formatTime, type TimeFormatOptions, type TimeZoneChoice, zoneName } from './time-format.ts';
import { useMediaQuery } from './use-media-query.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type { TimeZoneChoice };

export const PREFERENCES_KEY = 'qmp-console.preferences';

interface Preferences {
  theme: ThemeChoice;
  timeZone: TimeZoneChoice;
}

const DEFAULTS: Preferences = { theme: 'system', timeZone: 'local' };

const usePreferencesStore = create<Preferences>()(
  persist(() => DEFAULTS, {
    name: PREFERENCES_KEY,
    version: 1,
    storage: createJSONStorage(() => localStorage),
    // A hand-edited or older value must not break the page: keep only what is valid.
    merge: (persisted, current) => {
      const p = (persisted ?? {}) as Partial<Record<keyof Preferences, unknown>>;
      return {
        ...current,
        theme: p.theme === 'light' || p.theme === 'dark' || p.theme === 'system' ? p.theme : current.theme,
        timeZone: p.timeZone === 'utc' || p.timeZone === 'local' ? p.timeZone : current.timeZone,
      };
    },
  }),
);

export const useThemeChoice = () => usePreferencesStore((s) => s.theme);
export const useTimeZone = () => usePreferencesStore((s) => s.timeZone);

export function themeChosen(theme: ThemeChoice): void {
  usePreferencesStore.setState({ theme });
}

export function timeZoneChosen(timeZone: TimeZoneChoice): void {
  usePreferencesStore.setState({ timeZone });
}

/** For tests: the stored choices, and a way back to the defaults. */
export const preferencesState = () => usePreferencesStore.getState();
export function preferencesReset(): void {
  usePreferencesStore.setState(DEFAULTS);
}
export const rehydratePreferences = () => usePreferencesStore.persist.rehydrate();

/** Formats times in the chosen zone; re-renders its component when the choice changes. */
export function useTimeFormatter(): (
  at: Date | number | string,
  options?: Omit<TimeFormatOptions, 'zone'>,
) => string {
  const zone = useTimeZone();
  return useCallback((at, options) => formatTime(at, { ...options, zone }), [zone]);
}

/** The chosen zone's name now ("UTC", "CET"), for a column of times that states it once. */
export function useZoneName(): string {
  return zoneName(useTimeZone());
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** The theme the page shows now (for what reads colours once: canvases). */
export function useResolvedTheme(): 'light' | 'dark' {
  return resolveTheme(useThemeChoice(), useMediaQuery(DARK_QUERY));
}

/** light or dark, as the page shows it: the choice, or the OS's when the choice is "system". */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** The cookie that carries a chosen theme to the console (`system`: none, the OS decides). */
export function themeCookie(choice: ThemeChoice): string {
  const attributes = 'Path=/; SameSite=Strict';
  return choice === 'system'
    ? `${THEME_COOKIE}=; ${attributes}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`
    : `${THEME_COOKIE}=${choice}; ${attributes}; Max-Age=31536000`;
}

/**
 * Keeps `<html data-theme>` on the theme shown (the CSS keys its colours on it): applied now, whenever the
 * choice changes, and when the OS switches while the choice is "system". Returns a function that stops.
 */
export function applyThemeToDocument(root: HTMLElement = document.documentElement): () => void {
  const media = typeof matchMedia === 'function' ? matchMedia(DARK_QUERY) : null;
  const apply = () => {
    const choice = usePreferencesStore.getState().theme;
    root.dataset.theme = resolveTheme(choice, media?.matches ?? false);
    root.ownerDocument.cookie = themeCookie(choice);
  };
  apply();
  const unsubscribe = usePreferencesStore.subscribe(apply);
  media?.addEventListener('change', apply);
  return () => {
    unsubscribe();
    media?.removeEventListener('change', apply);
  };
}
