// The line checked while typing: what would stop it being sent, said politely (a screen reader hears it
// after the pause, not on every key), next to the line that it describes.
import { IssueList, PolicyNotice, positionIn, SyntaxPointer } from './command-notices.tsx';
import type { DraftCheck } from './draft-check.ts';

export function LiveCheck({
  id,
  check,
  text,
  hidden,
  onFix,
}: {
  /** The line's aria-describedby points here. */
  id: string;
  check: DraftCheck | null;
  /** The draft as typed (the check's offsets point into it). */
  text: string;
  /** A notice after Enter says the same: do not say it twice. */
  hidden: boolean;
  onFix: (fixed: string) => void;
}) {
  const shown = hidden ? null : check;
  return (
    <div id={id} className="live-check" aria-live="polite">
      {shown?.kind === 'syntax' ? (
        <>
          <p className="live-check-error">
            {shown.error.message} ({positionIn(shown.text, shown.error.start)}).
          </p>
          <SyntaxPointer error={shown.error} text={shown.text} />
        </>
      ) : null}
      {shown?.kind === 'policy' ? <PolicyNotice refusal={shown.refusal} sent={false} /> : null}
      {shown?.kind === 'checked' && shown.errors.length > 0 ? (
        <IssueList
          label="Problems the schema finds"
          className="live-check-errors"
          issues={shown.errors}
          locations={shown.locations}
          text={text}
          onFix={onFix}
        />
      ) : null}
      {shown?.kind === 'checked' && shown.notes.length > 0 ? (
        <IssueList
          label="Notes on the command"
          className="composer-notes"
          issues={shown.notes}
          locations={shown.locations}
          text={text}
          onFix={onFix}
        />
      ) : null}
    </div>
  );
}
