// Sets <html data-theme> before the first paint from the theme stored by web/src/ui/preferences.ts
// (key "qmp-console.preferences"), so a dark choice never flashes light. A file because the CSP allows
// no inline script; the app keeps data-theme up to date after this.
(() => {
  let theme = 'system';
  try {
    const stored = JSON.parse(localStorage.getItem('qmp-console.preferences') || 'null');
    if (stored?.state && (stored.state.theme === 'light' || stored.state.theme === 'dark')) {
      theme = stored.state.theme;
    }
  } catch {
    // No storage or a broken value: the OS decides.
  }
  if (theme === 'system') theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
})();
