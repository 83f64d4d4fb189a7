import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, createQueryClient, startEarlyReads } from './app.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const queryClient = createQueryClient();
startEarlyReads(queryClient, window.location.pathname);
createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} />
  </StrictMode>,
);
