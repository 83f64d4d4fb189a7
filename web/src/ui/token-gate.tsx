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

/** The token in what was pasted: the start link (`http://…/?token=…`) or the bare token. */
export function tokenFromInput(text: string): string {
  const t = text.trim();
  if (/^https?:\/\//i.test(t) || t.startsWith('/?') || t.startsWith('?')) {
    try {
      const found = new URL(t, 'http://pasted.invalid').searchParams.get('token');
      if (found) return found.trim();
    } catch {
      // not a link after all: the text itself
    }
  }
  return t;
}

/** Whether the console takes the token, asked before leaving the app (a wrong link ends on a bare 401). */
async function tokenAccepted(token: string): Promise<boolean | null> {
  try {
    const res = await fetch('/api/session', { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) return false;
    return true;
  } catch {
    return null;
  }
}

function TokenPage() {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = tokenFromInput(token);
    setChecking(true);
    const ok = await tokenAccepted(value);
    setChecking(false);
    if (ok === false) {
      setProblem(
        'That token is wrong for this console. A console started without --token makes a new one each time it starts: use the link it printed last.',
      );
      return;
    }
    if (ok === null) {
      setProblem('The console did not answer: is it running? Try again.');
      return;
    }
    // The console takes the token once from the address, sets its cookie and redirects back here.
    const url = new URL(window.location.href);
    url.searchParams.set('token', value);
    window.location.assign(url.toString());
  };
  return (
    <section className="page" aria-labelledby={`${id}-h`}>
      <h1 id={`${id}-h`}>This console needs its token</h1>
      <p>
        Open the link the console printed when it started (<code>http://…/?token=…</code>), or paste that link
        or the token here. A console started without <code>--token</code> makes a new one each time it starts.
      </p>
      <form onSubmit={(e) => void submit(e)} className="token-form">
        <label htmlFor={`${id}-t`}>Access token or start link</label>
        <input
          id={`${id}-t`}
          type="password"
          autoComplete="off"
          value={token}
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${id}-p` : undefined}
          onChange={(e) => {
            setToken(e.target.value);
            setProblem(null);
          }}
          required
        />
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Open the console'}
        </button>
      </form>
      {problem ? (
        <p id={`${id}-p`} role="alert" className="notice notice-error">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
