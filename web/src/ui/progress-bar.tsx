// A progress bar screen readers announce by name and value text ("42 %, 27 MiB of 64 MiB").
import { percent } from './units.ts';
import './progress-bar.css';

export interface ProgressBarProps {
  /** Names the bar: "Progress of backup job bk0". */
  label: string;
  done: number;
  total: number;
  /** What the value means in words; the percentage leads it. */
  detail?: string;
  /** `warning`/`error` colour the bar (a paused job, a failed one). */
  tone?: 'normal' | 'warning' | 'error';
  compact?: boolean;
}

export function ProgressBar({ label, done, total, detail, tone = 'normal', compact }: ProgressBarProps) {
  const value = percent(done, total);
  const text = detail ? `${value} %, ${detail}` : `${value} %`;
  return (
    <div className={compact ? 'progress progress-compact' : 'progress'} data-tone={tone}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={text}
        className="progress-track"
      >
        <div className="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-text" aria-hidden="true">
        {text}
      </span>
    </div>
  );
}
