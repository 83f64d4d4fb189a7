import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, createQueryClient, startEarlyReads } from './app.tsx';
import { applyThemeToDocument } from './ui/preferences.ts';
import './styles.css';

// public/theme-init.js set the theme before this bundle loaded; from here on the app keeps it current.
applyThemeToDocument();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const queryClient = createQueryClient();
startEarlyReads(queryClient, window.location.pathname);
createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} />
  </StrictMode>,
);
