// Why a command was not sent: a syntax error pointed at in the line, or the schema's objections.
import { type ArgumentLocation, columnOf, type SyntaxIssue } from './qmp-shell-syntax.ts';
import { formatPath, type SchemaIssue } from './schema.ts';

export /** " (column N)" for an issue about an argument the line spells out. */
function columnFor(issue: SchemaIssue, locations: readonly ArgumentLocation[]): string {
  const id = formatPath(issue.path);
  if (!id) return '';
  const at = locations.find((l) => formatPath(l.path) === id);
  return at ? ` (column ${at.keyStart + 1})` : '';
}

export function SyntaxErrorNotice({ error, text }: { error: SyntaxIssue; text: string }) {
  const lineStart = text.lastIndexOf('\n', error.start - 1) + 1;
  const lineEndAt = text.indexOf('\n', error.start);
  const lineText = text.slice(lineStart, lineEndAt < 0 ? text.length : lineEndAt);
  const col = error.start - lineStart;
  const width = Math.max(1, Math.min(error.end, lineStart + lineText.length) - error.start);
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>Not sent.</strong> {error.message} (column {columnOf(error)}).
      </p>
      {lineText.trim() ? (
        <pre className="syntax-pointer" aria-hidden="true">
          {lineText}
          {'\n'}
          {' '.repeat(col)}
          {'^'.repeat(width)}
        </pre>
      ) : null}
    </div>
  );
}
