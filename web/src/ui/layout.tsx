// The page frame: a header with the app name (linking home) and a slot for the connection state.
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { homePath } from '../qemu/routes.ts';

export function Layout({ status, children }: { status?: ReactNode; children: ReactNode }) {
  return (
    <div className="app">
      <header className="app-header">
        <Link href={homePath()} className="app-name">
          QMP Console
        </Link>
        <div className="app-header-status">{status}</div>
      </header>
      <main className="app-main">{children}</main>
    </div>
  );
}
