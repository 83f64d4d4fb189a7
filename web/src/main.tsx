import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { takePageSnapshot } from './api/page-snapshot.ts';
import { App, createQueryClient, startEarlyReads } from './app.tsx';
import { applyThemeToDocument } from './ui/preferences.ts';
import './styles.css';

// public/theme-init.js set the theme before this bundle loaded; from here on the app keeps it current.
applyThemeToDocument();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const queryClient = createQueryClient();
// A VM's page renders once its chunk is in (fetched alongside this one): rendered before, it would show
// "Loading…" first, and React reveals a suspended page no sooner than 300 ms after that.
void startEarlyReads(queryClient, window.location.pathname, takePageSnapshot(document)).then(() =>
  createRoot(root).render(
    <StrictMode>
      <App queryClient={queryClient} />
    </StrictMode>,
  ),
);
