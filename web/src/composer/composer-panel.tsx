// The command composer for one VM: mode, input line with completion and hints, checking as the user
// pauses and again before sending (with "Send anyway" for the schema's objections; none for the console's
// policy), confirmation of commands that change or end the VM, the transcript and the history.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useRef, useState } from 'react';
import { formatQemuVersion, type Json } from '../../../protocol/qmp.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { vmQueryRoot } from '../api/qmp-query.ts';
import { confirmationReason, HMP_COMMAND, lineConfirmation } from '../qemu/commands.ts';
import { explainQmpError, refusalSentence, viewerNotice } from '../qemu/refusal.ts';
import { QmpDisconnectedError, QmpError } from '../qmp/qmp-errors.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';
import { CommandForm } from './command-form.tsx';
import { CommandLine } from './command-line.tsx';
import { IssueList, PolicyNotice, SyntaxErrorNotice } from './command-notices.tsx';
import {
  commandSubmitted,
  cpuIndexChosen,
  draftChanged,
  type HistoryEntry,
  historyCleared,
  modeChosen,
  useCpuIndex,
  useDraft,
  useHistory,
  useMode,
} from './composer-store.ts';
import { checkDraft, type DraftContext, useLiveCheck } from './draft-check.ts';
import { HistoryList } from './history-list.tsx';
import { LiveCheck } from './live-check.tsx';
import { convertDraft } from './mode-switch.ts';
import { usePrefilledCommand } from './prefilled-command.ts';
import {
  type ArgumentLocation,
  type ComposerMode,
  formatQmpShell,
  type QmpRequest,
  type SyntaxIssue,
} from './qmp-shell-syntax.ts';
import { composerQueries } from './queries.ts';
import type { SchemaIssue } from './schema.ts';
import { Transcript, type TranscriptEntry } from './transcript.tsx';
import { useDeviceCatalog } from './use-device-catalog.ts';
import './composer.css';

const TRANSCRIPT_LIMIT = 200;

/** Queries whose answers only change with the QEMU binary: a command run here does not make them stale. */
const FIXED_PER_BINARY: ReadonlySet<string> = new Set([
  'query-qmp-schema',
  'qom-list-types',
  'device-list-properties',
]);

type Gate =
  | null
  | { kind: 'syntax'; error: SyntaxIssue; text: string }
  | {
      kind: 'check';
      request: QmpRequest;
      line: string;
      issues: SchemaIssue[];
      locations: readonly ArgumentLocation[];
    }
  | { kind: 'policy'; refusal: string }
  | { kind: 'confirm'; request: QmpRequest; line: string; consequence: string; forced: boolean };

const MODES: { mode: ComposerMode; label: string }[] = [
  { mode: 'qmp-shell', label: 'qmp-shell' },
  { mode: 'json', label: 'JSON' },
  { mode: 'hmp', label: 'HMP' },
];

export function ComposerPanel({ vm }: { vm: string }) {
  usePageTitle(`Composer · ${vm}`);
  usePrefilledCommand(vm);
  const ids = useId();
  const { client, state, version } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const schemaQuery = useQuery(composerQueries.schema(vm));
  const session = useQuery(composerQueries.session()).data;
  const schema = schemaQuery.data ?? null;

  const draft = useDraft(vm);
  const mode = useMode(vm);
  const cpuIndex = useCpuIndex(vm);
  const history = useHistory(vm);

  const devices = useDeviceCatalog(vm, mode === 'qmp-shell' && /^\s*device_add\b/.test(draft), draft);
  const draftContext: DraftContext = { mode, cpuIndex, schema, devices, session };
  const liveCheck = useLiveCheck(draft, draftContext);

  const [entries, setEntries] = useState<TranscriptEntry[]>([]);
  const [gate, setGate] = useState<Gate>(null);
  const [notes, setNotes] = useState<(SchemaIssue | SyntaxIssue)[]>([]);
  const [showForm, setShowForm] = useState(false);
  const [modeNote, setModeNote] = useState<string | null>(null);
  const [focusToken, setFocusToken] = useState(0);
  const nextId = useRef(1);
  const refocus = useCallback(() => setFocusToken((t) => t + 1), []);

  const run = useCallback(
    (request: QmpRequest, line: string, runMode: ComposerMode, forced: boolean) => {
      const id = nextId.current++;
      const startedAt = Date.now();
      const t0 = performance.now();
      const entry: TranscriptEntry = {
        id,
        line,
        mode: runMode,
        request,
        startedAt,
        durationMs: null,
        outcome: { kind: 'pending' },
        forced,
      };
      setEntries((es) => [...es, entry].slice(-TRANSCRIPT_LIMIT));
      commandSubmitted(vm, { text: line, mode: runMode, cpuIndex: runMode === 'hmp' ? cpuIndex : null });
      setGate(null);
      refocus();
      const finish = (outcome: TranscriptEntry['outcome']) => {
        const durationMs = performance.now() - t0;
        setEntries((es) => es.map((e) => (e.id === id ? { ...e, outcome, durationMs } : e)));
      };
      client.execute<Json>(request.execute, request.arguments).then(
        (value) => {
          finish({ kind: 'ok', value });
          // A command that may have changed the VM refreshes its panels (not what is fixed per binary).
          if (!request.execute.startsWith('query-')) {
            void queryClient.invalidateQueries({
              queryKey: vmQueryRoot(vm),
              predicate: (q) => !FIXED_PER_BINARY.has(String(q.queryKey[2])),
            });
          }
        },
        (err: unknown) => {
          if (err instanceof QmpError) {
            finish({
              kind: 'error',
              errorClass: err.errorClass,
              desc: err.desc,
              explanation: explainQmpError(request.execute, err.errorClass, err.desc, session),
            });
          } else if (err instanceof QmpDisconnectedError) {
            finish({
              kind: 'failed',
              message: err.interrupted
                ? `The connection was lost before the reply (${err.detail}): QEMU may or may not have run it.`
                : `Not sent: ${err.detail}.`,
            });
          } else finish({ kind: 'failed', message: String(err) });
        },
      );
    },
    [client, cpuIndex, queryClient, refocus, session, vm],
  );

  const proceed = (request: QmpRequest, line: string, forced: boolean) => {
    const consequence = confirmationReason(request);
    if (consequence) setGate({ kind: 'confirm', request, line, consequence, forced });
    else run(request, line, mode, forced);
  };

  const submit = () => {
    const checked = checkDraft(draft, draftContext);
    if (checked.kind !== 'checked') {
      setGate(checked);
      return;
    }
    const { request, line, errors, locations } = checked;
    setNotes(checked.notes);
    if (errors.length) {
      setGate({ kind: 'check', request, line, issues: errors, locations });
      return;
    }
    proceed(request, line, false);
  };

  const onDraft = (text: string) => {
    draftChanged(vm, text);
    setModeNote(null);
    if (gate && gate.kind !== 'confirm') setGate(null);
    if (notes.length) setNotes([]);
  };
  /** A "Did you mean …?" button rewrote the line. */
  const onFix = (fixed: string) => {
    onDraft(fixed);
    refocus();
  };

  const recall = (entry: HistoryEntry) => {
    if (entry.mode !== mode) modeChosen(vm, entry.mode);
    if (entry.mode === 'hmp' && entry.cpuIndex !== undefined) cpuIndexChosen(vm, entry.cpuIndex ?? null);
  };

  const notice = viewerNotice(session);
  const connected = state === 'ready';

  return (
    <section className="panel composer" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Command composer</h2>
      {notice ? <p className="notice notice-warn">{notice}</p> : null}
      <div className="composer-toolbar">
        <fieldset className="mode-picker">
          <legend>Mode</legend>
          {MODES.map((m) => (
            <label key={m.mode}>
              <input
                type="radio"
                name={`${ids}-mode`}
                value={m.mode}
                checked={mode === m.mode}
                onChange={() => {
                  const switched = convertDraft(draft, mode, m.mode);
                  modeChosen(vm, m.mode);
                  if (switched.text !== draft) draftChanged(vm, switched.text);
                  setModeNote(switched.note);
                  refocus();
                }}
              />
              {m.label}
            </label>
          ))}
        </fieldset>
        {mode === 'hmp' ? (
          <label className="cpu-index">
            CPU index
            <input
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              value={cpuIndex ?? ''}
              placeholder="default"
              onChange={(e) => cpuIndexChosen(vm, e.target.value === '' ? null : Number(e.target.value))}
            />
          </label>
        ) : null}
        {mode === 'qmp-shell' ? (
          <button type="button" aria-pressed={showForm} onClick={() => setShowForm((f) => !f)}>
            Form view
          </button>
        ) : null}
        <span className="muted schema-status">
          {schemaQuery.isSuccess && schema
            ? `Schema: ${schema.commandNames.length} commands${version ? ` (QEMU ${formatQemuVersion(version)})` : ''}`
            : schemaQuery.isError
              ? 'Schema unavailable: commands are sent unchecked.'
              : connected
                ? 'Loading the schema…'
                : 'Waiting for the QMP connection…'}
        </span>
      </div>

      <p role="status" className="muted small mode-note">
        {modeNote}
      </p>
      <form
        className="composer-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <CommandLine
          value={draft}
          onChange={onDraft}
          onSubmit={submit}
          mode={mode}
          schema={schema}
          history={history}
          onRecall={recall}
          focusToken={focusToken}
          isRefused={session ? (name) => refusalSentence(session, name) !== null : undefined}
          devices={devices}
          checkId={`${ids}-check`}
          invalid={liveCheck !== null && (liveCheck.kind !== 'checked' || liveCheck.errors.length > 0)}
        />
        <button type="submit" className="primary">
          Run
        </button>
      </form>

      <LiveCheck
        id={`${ids}-check`}
        check={liveCheck}
        text={draft}
        hidden={gate !== null || notes.length > 0}
        onFix={onFix}
      />
      {gate?.kind === 'syntax' ? <SyntaxErrorNotice error={gate.error} text={gate.text} /> : null}
      {gate?.kind === 'policy' ? <PolicyNotice refusal={gate.refusal} sent /> : null}
      {gate?.kind === 'check' ? (
        <div className="notice notice-error check-issues" role="alert">
          <p>
            <strong>Not sent.</strong> The schema says QEMU would refuse this:
          </p>
          <IssueList issues={gate.issues} locations={gate.locations} text={draft} onFix={onFix} />
          <div className="notice-actions">
            <button type="button" onClick={() => proceed(gate.request, gate.line, true)}>
              Send anyway
            </button>
            <button
              type="button"
              onClick={() => {
                setGate(null);
                refocus();
              }}
            >
              Edit
            </button>
          </div>
        </div>
      ) : null}
      {notes.length ? (
        <IssueList
          label="Notes on the command"
          className="composer-notes"
          issues={notes}
          locations={[]}
          text={draft}
          onFix={onFix}
        />
      ) : null}

      {showForm && mode === 'qmp-shell' ? (
        <CommandForm
          schema={schema}
          line={draft}
          onLine={(line) => {
            draftChanged(vm, line);
          }}
          issues={liveCheck?.kind === 'checked' ? liveCheck.errors : []}
        />
      ) : null}

      <Transcript vm={vm} entries={entries} onClear={() => setEntries([])} />
      <HistoryList
        history={history}
        onReuse={(entry) => {
          recall(entry);
          draftChanged(vm, entry.text);
          refocus();
        }}
        onClear={() => historyCleared(vm)}
      />

      {gate?.kind === 'confirm' ? (
        <ConfirmDialog
          {...lineConfirmation(gate.request.execute, vm)}
          onConfirm={() => run(gate.request, gate.line, mode, gate.forced)}
          onCancel={() => {
            setGate(null);
            refocus();
          }}
        >
          <p>{gate.consequence}</p>
          <pre className="dialog-command">
            {gate.request.execute === HMP_COMMAND ? gate.line : formatQmpShell(gate.request)}
          </pre>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
