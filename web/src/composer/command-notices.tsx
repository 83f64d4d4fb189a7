// Why a command was not sent (or would not be): a syntax error pointed at in the line, the console's
// policy, the schema's objections with their "Did you mean …?" as a button that fixes the line.
import type { ReactNode } from 'react';
import type { ArgumentLocation, SyntaxIssue } from './qmp-shell-syntax.ts';
import { didYouMeanSentence, formatPath, type SchemaIssue } from './schema.ts';
import { applySuggestion } from './suggestion-fix.ts';

/** " (column N)" for an issue about an argument the line spells out ("line L, column N" past the first). */
export function columnFor(issue: SchemaIssue, locations: readonly ArgumentLocation[], text = ''): string {
  const id = formatPath(issue.path);
  if (!id) return '';
  const at = locations.find((l) => formatPath(l.path) === id);
  return at ? ` (${positionIn(text, at.keyStart)})` : '';
}

/** "column 7", or "line 2, column 7" in a multi-line draft (a transaction, JSON). */
export function positionIn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
}

export function SyntaxErrorNotice({ error, text }: { error: SyntaxIssue; text: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>Not sent.</strong> {error.message} ({positionIn(text, error.start)}).
      </p>
      <SyntaxPointer error={error} text={text} />
    </div>
  );
}

/** The line with the error, and carets under it. */
export function SyntaxPointer({ error, text }: { error: SyntaxIssue; text: string }) {
  const lineStart = text.lastIndexOf('\n', error.start - 1) + 1;
  const lineEndAt = text.indexOf('\n', error.start);
  const lineText = text.slice(lineStart, lineEndAt < 0 ? text.length : lineEndAt);
  const col = error.start - lineStart;
  const width = Math.max(1, Math.min(error.end, lineStart + lineText.length) - error.start);
  if (!lineText.trim()) return null;
  return (
    <pre className="syntax-pointer" aria-hidden="true">
      {lineText}
      {'\n'}
      {' '.repeat(col)}
      {'^'.repeat(width)}
    </pre>
  );
}

export function PolicyNotice({ refusal, sent }: { refusal: string; sent: boolean }) {
  return sent ? (
    <div className="notice notice-error check-issues" role="alert">
      <p>
        <strong>Not sent.</strong> The console's policy refuses this, not QEMU: {refusal}
      </p>
    </div>
  ) : (
    <p className="live-check-error">The console's policy refuses this, not QEMU: {refusal}</p>
  );
}

/**
 * The schema's issues, each with where the line says it and, for a likely typo, a button that puts the
 * suggestion in the line.
 */
export function IssueList({
  issues,
  locations,
  text,
  onFix,
  label,
  className,
}: {
  issues: readonly (SchemaIssue | SyntaxIssue)[];
  locations: readonly ArgumentLocation[];
  /** The draft the locations are offsets into. */
  text: string;
  onFix: (fixed: string) => void;
  label?: string;
  className?: string;
}) {
  return (
    <ul aria-label={label} className={className}>
      {issues.map((i) => (
        <li key={'path' in i ? `${i.kind}:${formatPath(i.path)}:${i.message}` : i.message}>
          {'path' in i ? <IssueText issue={i} locations={locations} text={text} onFix={onFix} /> : i.message}
        </li>
      ))}
    </ul>
  );
}

function IssueText({
  issue,
  locations,
  text,
  onFix,
}: {
  issue: SchemaIssue;
  locations: readonly ArgumentLocation[];
  text: string;
  onFix: (fixed: string) => void;
}): ReactNode {
  const fixed = applySuggestion(text, issue, locations);
  const tail = didYouMeanSentence(issue.suggestion);
  const where = columnFor(issue, locations, text);
  if (fixed === null || !tail || !issue.message.endsWith(tail)) return `${issue.message}${where}`;
  return (
    <>
      {issue.message.slice(0, -tail.length)}{' '}
      <button type="button" className="link-button" onClick={() => onFix(fixed)}>
        Did you mean "{issue.suggestion!.replacement}"?
      </button>
      {where}
    </>
  );
}
