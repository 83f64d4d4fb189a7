// The Display panel's live picture: refreshed every few seconds while the tab is visible, and on demand.
import { useQuery } from '@tanstack/react-query';
import { useTimeFormatter } from '../ui/preferences.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { Timestamp } from '../ui/timestamp.tsx';
import './screen.css';
import { screenQueryOptions } from './screen-query.ts';
import { noScreenText, screenAlt } from './screen-text.ts';
import { useObjectUrl } from './use-object-url.ts';

const REFRESH_MS = 3000;

export function LiveScreen({ vm }: { vm: string }) {
  const screen = useQuery(screenQueryOptions(vm, REFRESH_MS));
  const picture = screen.data?.kind === 'picture' ? screen.data : null;
  const url = useObjectUrl(picture?.blob ?? null);
  const formatTime = useTimeFormatter();
  return (
    <section className="panel screen-panel" aria-labelledby="screen-heading">
      <div className="panel-head">
        <h2 id="screen-heading">Screen</h2>
        <div className="panel-tools">
          {picture ? (
            <span className="muted panel-refreshed">
              Taken <Timestamp at={picture.takenAt} />, every {REFRESH_MS / 1000} s while this tab is visible
            </span>
          ) : null}
          <button type="button" onClick={() => void screen.refetch()} disabled={screen.isFetching}>
            {screen.isFetching ? 'Taking…' : 'Refresh screen'}
          </button>
        </div>
      </div>
      {screen.isPending ? <p className="muted">Taking a screenshot…</p> : null}
      {screen.isError ? (
        <p className="notice notice-error">Could not take a screenshot: {errorMessage(screen.error)}</p>
      ) : null}
      {screen.data?.kind === 'none' ? (
        <p className="notice notice-info">{noScreenText(screen.data.problem)}</p>
      ) : null}
      {picture && url ? (
        <img className="screen-image" src={url} alt={screenAlt(vm, picture.takenAt, formatTime)} />
      ) : null}
    </section>
  );
}
