// A small picture of the VM's screen for the VM list; says so when the VM has no display.
import { useQuery } from '@tanstack/react-query';
import { useTimeFormatter } from '../ui/preferences.ts';
import './screen.css';
import { screenQueryOptions } from './screen-query.ts';
import { screenAlt } from './screen-text.ts';
import { useObjectUrl } from './use-object-url.ts';

const REFRESH_MS = 10_000;

export function ScreenThumbnail({ vm, connected }: { vm: string; connected: boolean }) {
  const screen = useQuery({ ...screenQueryOptions(vm, REFRESH_MS), enabled: connected });
  const picture = screen.data?.kind === 'picture' ? screen.data : null;
  const url = useObjectUrl(picture?.blob ?? null);
  const formatTime = useTimeFormatter();
  if (!connected) return null;
  if (screen.data?.kind === 'none') return <p className="screen-thumb-none muted small">No display</p>;
  if (!picture || !url)
    return <p className="screen-thumb-none muted small">{screen.isError ? 'No picture' : '…'}</p>;
  return (
    <img className="screen-thumb" src={url} alt={screenAlt(vm, picture.takenAt, formatTime)} width={160} />
  );
}
