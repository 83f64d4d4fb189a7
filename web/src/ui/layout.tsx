// The page frame: a skip link (the first Tab stop) to the page's content, a header with the app name
// (linking home), a slot for the connection state and the display menu, then the content.
import type { MouseEvent, ReactNode } from 'react';
import { Link } from 'wouter';
import { homePath } from '../qemu/routes.ts';
import { DisplayMenu } from './display-menu.tsx';

export const MAIN_ID = 'main';

/** Focuses <main> without a hash in the URL (routes are paths; a `#main` would linger in deep links). */
function skipToMain(e: MouseEvent<HTMLAnchorElement>) {
  const main = document.getElementById(MAIN_ID);
  if (!main) return;
  e.preventDefault();
  main.focus();
  main.scrollIntoView({ block: 'start' });
}

export function Layout({ status, children }: { status?: ReactNode; children: ReactNode }) {
  return (
    <div className="app">
      <a className="skip-link" href={`#${MAIN_ID}`} onClick={skipToMain}>
        Skip to content
      </a>
      <header className="app-header">
        <Link href={homePath()} className="app-name">
          QMP Console
        </Link>
        <div className="app-header-status">{status}</div>
        <DisplayMenu />
      </header>
      <main id={MAIN_ID} className="app-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
