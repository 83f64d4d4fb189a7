(() => {
  let t = 'system';
  try {
    const s = JSON.parse(localStorage.getItem('qmp-console.preferences') || 'null')?.state;
    if (s?.theme === 'light' || s?.theme === 'dark') t = s.theme;
  } catch {}
  if (t === 'system') t = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = t;
})();
