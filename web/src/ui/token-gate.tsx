// A browser without the console's token sees how to get in, instead of a page of 401 errors.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { isTokenRequired, sessionQueryOptions } from '../api/session.ts';
import { Layout } from './layout.tsx';

export function TokenGate({ children }: { children: ReactNode }) {
  const session = useQuery(sessionQueryOptions);
  const queryClient = useQueryClient();
  // The session is read once, but the token can stop working later (a console restarted without
  // `--token` makes a new one): any other request refused with 401 asks for the session again.
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((e) => {
        if (e.type !== 'updated' || e.action.type !== 'error' || !isTokenRequired(e.action.error)) return;
        if (e.query.queryKey[0] === sessionQueryOptions.queryKey[0]) return;
        void queryClient.invalidateQueries({ queryKey: sessionQueryOptions.queryKey });
      }),
    [queryClient],
  );
  if (!isTokenRequired(session.error)) return <>{children}</>;
  return (
    <Layout>
      <TokenPage />
    </Layout>
  );
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
