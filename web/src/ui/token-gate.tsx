// A browser without the console's token sees how to get in, instead of a page of 401 errors.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { isTokenRequired, sessionQueryOptions } from '../api/session.ts';

export function TokenGate({ children }: { children: ReactNode }) {
  const session = useQuery(sessionQueryOptions);
  if (!isTokenRequired(session.error)) return <>{children}</>;
  return <TokenPage />;
}

function TokenPage() {
  const [token, setToken] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The console takes the token once from the address, sets its cookie and redirects back here.
    const url = new URL(window.location.href);
    url.searchParams.set('token', token.trim());
    window.location.assign(url.toString());
  };
  return (
    <section className="page" aria-labelledby={`${id}-h`}>
      <h1 id={`${id}-h`}>This console needs its token</h1>
      <p>
        Open the link the console printed when it started (<code>http://…/?token=…</code>), or paste the token
        here. A console started without <code>--token</code> makes a new one each time it starts.
      </p>
      <form onSubmit={submit} className="token-form">
        <label htmlFor={`${id}-t`}>Access token</label>
        <input
          id={`${id}-t`}
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <button type="submit">Open the console</button>
      </form>
    </section>
  );
}
