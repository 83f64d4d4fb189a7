// The header's display menu: light/dark/the OS's theme, and times in local time or UTC. A disclosure of
// two radio groups: keyboard users Tab to it, Enter opens, arrows pick, Escape closes.
import { type KeyboardEvent, useId, useRef } from 'react';
import {
  type ThemeChoice,
  type TimeZoneChoice,
  themeChosen,
  timeZoneChosen,
  useThemeChoice,
  useTimeZone,
} from './preferences.ts';
import { zoneName } from './time-format.ts';

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function DisplayMenu() {
  const theme = useThemeChoice();
  const zone = useTimeZone();
  const name = useId();
  const menu = useRef<HTMLDetailsElement>(null);
  const localName = zoneName('local');
  const zones: { value: TimeZoneChoice; label: string }[] = [
    { value: 'local', label: localName === 'UTC' ? 'Local (UTC)' : `Local (${localName})` },
    { value: 'utc', label: 'UTC' },
  ];

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !menu.current?.open) return;
    menu.current.open = false;
    menu.current.querySelector('summary')?.focus();
  };

  return (
    <details ref={menu} className="display-menu" onKeyDown={onKeyDown}>
      <summary>
        Display<span className="sr-only"> settings</span>
        <span className="display-menu-zone" aria-hidden="true">
          {zone === 'utc' ? 'UTC' : localName}
        </span>
      </summary>
      <div className="display-menu-body">
        <fieldset>
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value}>
              <input
                type="radio"
                name={`${name}-theme`}
                value={t.value}
                checked={theme === t.value}
                onChange={() => themeChosen(t.value)}
              />
              {t.label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Times</legend>
          {zones.map((z) => (
            <label key={z.value}>
              <input
                type="radio"
                name={`${name}-zone`}
                value={z.value}
                checked={zone === z.value}
                onChange={() => timeZoneChosen(z.value)}
              />
              {z.label}
            </label>
          ))}
        </fieldset>
      </div>
    </details>
  );
}
