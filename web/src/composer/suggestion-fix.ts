// "Did you mean …?" as an edit: the typo replaced where the line spells it, and nowhere else. When the
// word cannot be found exactly once, there is no fix to offer (the message still says it).
import type { ArgumentLocation } from './qmp-shell-syntax.ts';
import { TRANSACTION_START, tokenize, type Word } from './qmp-shell-syntax.ts';
import { formatPath, type SchemaIssue } from './schema.ts';

interface Range {
  start: number;
  end: number;
}

const replace = (text: string, at: Range, by: string) => text.slice(0, at.start) + by + text.slice(at.end);

/** The draft with the issue's suggestion applied; null when there is none or the typo is not found once. */
export function applySuggestion(
  text: string,
  issue: SchemaIssue,
  locations: readonly ArgumentLocation[],
): string | null {
  const s = issue.suggestion;
  if (!s) return null;
  const at = issue.path.length === 0 ? commandWord(text) : spelledAt(text, issue, locations);
  if (at) {
    const written = text.slice(at.start, at.end);
    if (written === s.word) return replace(text, at, s.replacement);
    // A quoted value: keep its quotes.
    const q = written[0];
    if ((q === '"' || q === "'") && written === `${q}${s.word}${q}`) {
      return replace(text, { start: at.start + 1, end: at.end - 1 }, s.replacement);
    }
  }
  // JSON (the JSON mode, or a JSON value in a qmp-shell line): the one "word" inside the enclosing value.
  const within = enclosingValue(issue, locations) ?? { start: 0, end: text.length };
  const quoted = JSON.stringify(s.word);
  const first = text.indexOf(quoted, within.start);
  if (first < 0 || first + quoted.length > within.end) return null;
  const again = text.indexOf(quoted, first + 1);
  if (again >= 0 && again + quoted.length <= within.end) return null;
  return replace(text, { start: first, end: first + quoted.length }, JSON.stringify(s.replacement));
}

/** The command name of a qmp-shell line (not of a transaction or a JSON command). */
function commandWord(text: string): Range | null {
  if (TRANSACTION_START.test(text) || text.trimStart().startsWith('{')) return null;
  const first = tokenize(text).tokens[0] as Word | undefined;
  return first && first.eq < 0 ? first : null;
}

/** Where the line spells the name (its last dotted part) or the value the issue is about. */
function spelledAt(text: string, issue: SchemaIssue, locations: readonly ArgumentLocation[]): Range | null {
  const id = formatPath(issue.path);
  const loc = locations.find((l) => formatPath(l.path) === id);
  if (!loc) return null;
  if (issue.suggestion?.part === 'value') return { start: loc.valueStart, end: loc.valueEnd };
  const word = issue.suggestion?.word ?? '';
  const start = loc.keyEnd - word.length;
  return start >= loc.keyStart && text.slice(start, loc.keyEnd) === word ? { start, end: loc.keyEnd } : null;
}

/** The value of the nearest argument above the issue's path that the line spells (a JSON value). */
function enclosingValue(issue: SchemaIssue, locations: readonly ArgumentLocation[]): Range | null {
  for (let n = issue.path.length - 1; n > 0; n--) {
    const id = formatPath(issue.path.slice(0, n));
    const loc = locations.find((l) => formatPath(l.path) === id);
    if (loc) return { start: loc.valueStart, end: loc.valueEnd };
  }
  return null;
}
