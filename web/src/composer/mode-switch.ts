// Switching the composer's mode carries the line over: qmp-shell and JSON are two spellings of the same
// QMP command, so the text is converted; HMP is QEMU's other monitor language, so it is kept and the
// person is told why.
import { type ComposerMode, formatJson, formatQmpShell, parseInput } from './qmp-shell-syntax.ts';

export type ModeSwitch = { text: string; note: string | null };

export function convertDraft(text: string, from: ComposerMode, to: ComposerMode): ModeSwitch {
  if (from === to || text.trim() === '') return { text, note: null };
  if (from === 'hmp' || to === 'hmp')
    return {
      text,
      note: 'Not converted: HMP is a different command language from QMP; the text is kept as it was.',
    };
  const parsed = parseInput(text, { mode: from });
  if (!parsed.ok)
    return {
      text,
      note: `Not converted: the ${from === 'json' ? 'JSON' : 'qmp-shell'} text does not parse (${parsed.error.message}).`,
    };
  return { text: to === 'json' ? formatJson(parsed.request) : formatQmpShell(parsed.request), note: null };
}
