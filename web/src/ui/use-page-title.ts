// One way for a page to name itself in the browser's tab (the alert watcher prefixes the count).
import { useEffect } from 'react';

export const APP_TITLE = 'QMP Console';

/** Sets `TITLE · QMP Console` while the page is shown, and the bare app name after. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${APP_TITLE}`;
    return () => {
      document.title = APP_TITLE;
    };
  }, [title]);
}
