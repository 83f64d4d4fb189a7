// The form view: the arguments of the command in the line as fields generated from the schema. Editing a
// field rewrites the qmp-shell line, and the line stays the one source of truth. What the check of the
// line finds wrong is shown at the field it is about.
import { type ReactNode, useId, useState } from 'react';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { buildLenient } from './completion.ts';
import { parseJsonText } from './json-text.ts';
import { formatQmpShell, jsonScalar, parseInput, tokenize, type Word } from './qmp-shell-syntax.ts';
import {
  effectiveMembers,
  formatPath,
  type Member,
  type ObjectType,
  type QmpSchema,
  type SchemaIssue,
  type SchemaType,
} from './schema.ts';
import './command-form.css';

const MAX_DEPTH = 3;

/** The command and arguments of a qmp-shell line, even a half-valid one. */
export function readLine(line: string): { execute: string; args: JsonObject } {
  const parsed = parseInput(line, { mode: 'qmp-shell' });
  if (parsed.ok) return { execute: parsed.request.execute, args: parsed.request.arguments ?? {} };
  const words = tokenize(line).tokens.filter((t): t is Word => t.kind === 'word');
  const [first, ...rest] = words;
  return { execute: first && first.eq < 0 ? first.text : '', args: buildLenient(rest) };
}

/** The message about one argument (or, for an empty path, the command), if the check found one. */
type IssueAt = (path: readonly string[]) => string | undefined;

export function CommandForm({
  schema,
  line,
  onLine,
  issues = [],
}: {
  schema: QmpSchema | null;
  line: string;
  onLine: (line: string) => void;
  /** What the check of the line found wrong (errors). */
  issues?: readonly SchemaIssue[];
}) {
  const ids = useId();
  const issueAt: IssueAt = (path) => {
    const id = formatPath(path);
    return issues.find((i) => formatPath(i.path) === id)?.message;
  };
  const commandError = issueAt([]);
  if (!schema) return <p className="muted">The form needs the QMP schema, which comes once connected.</p>;
  const { execute, args } = readLine(line);
  const sig = execute ? schema.command(execute) : undefined;
  const write = (nextExecute: string, nextArgs: JsonObject) => {
    onLine(
      formatQmpShell(
        Object.keys(nextArgs).length
          ? { execute: nextExecute, arguments: nextArgs }
          : { execute: nextExecute },
      ),
    );
  };
  return (
    <fieldset className="command-form">
      <legend>Form view</legend>
      <div className="form-row">
        <label htmlFor={`${ids}-cmd`}>Command</label>
        <input
          id={`${ids}-cmd`}
          list={`${ids}-commands`}
          value={execute}
          spellCheck={false}
          aria-invalid={commandError ? true : undefined}
          aria-describedby={commandError ? `${ids}-cmd-error` : undefined}
          onChange={(e) => write(e.target.value.trim(), sig ? {} : args)}
        />
        <FieldError id={`${ids}-cmd-error`} message={commandError} />
        <datalist id={`${ids}-commands`}>
          {schema.commandNames.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
      {!sig ? (
        <p className="muted">{execute ? `No command “${execute}” in this QEMU.` : 'Pick a command.'}</p>
      ) : (
        <ObjectFields
          schema={schema}
          type={sig.args}
          value={args}
          path={[]}
          onChange={(v) => write(execute, v)}
          depth={0}
          issueAt={issueAt}
        />
      )}
      {sig?.openArguments ? (
        <p className="muted">Device properties beyond these go in the line as key=value.</p>
      ) : null}
    </fieldset>
  );
}

function ObjectFields({
  schema,
  type,
  value,
  path,
  onChange,
  depth,
  issueAt,
}: {
  schema: QmpSchema;
  type: ObjectType;
  value: JsonObject;
  path: string[];
  onChange: (v: JsonObject) => void;
  depth: number;
  issueAt: IssueAt;
}) {
  const members = effectiveMembers(type, value);
  if (members.length === 0) return <p className="muted">No arguments.</p>;
  const set = (name: string, v: Json | undefined) => {
    const next: JsonObject = { ...value };
    if (v === undefined) delete next[name];
    else next[name] = v;
    // A new tag value selects another variant: drop members the new variant does not have.
    if (name === type.tag) {
      const allowed = new Set(effectiveMembers(type, next).map((m) => m.name));
      for (const k of Object.keys(next)) if (!allowed.has(k)) delete next[k];
    }
    onChange(next);
  };
  return (
    <div className="form-fields">
      {members.map((m) => (
        <Field
          key={m.name}
          schema={schema}
          member={m}
          value={value[m.name]}
          path={[...path, m.name]}
          onChange={(v) => set(m.name, v)}
          depth={depth}
          issueAt={issueAt}
        />
      ))}
    </div>
  );
}

function Field({
  schema,
  member,
  value,
  path,
  onChange,
  depth,
  issueAt,
}: {
  schema: QmpSchema;
  member: Member;
  value: Json | undefined;
  path: string[];
  onChange: (v: Json | undefined) => void;
  depth: number;
  issueAt: IssueAt;
}) {
  const id = useId();
  const name = path.join('.');
  const type = member.type;
  const error = issueAt(path);
  const label = (
    <label htmlFor={id}>
      {name}
      {member.optional ? '' : <span className="form-required"> (required)</span>}
      {member.deprecated ? ' (deprecated)' : ''}
      {member.unstable ? ' (unstable)' : ''}
    </label>
  );
  const title = schema.describeType(type);
  /** What every control of a field carries: its error state and what describes it. */
  const control = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  } as const;
  const errorText = <FieldError id={`${id}-error`} message={error} />;
  if (type.kind === 'object' && depth < MAX_DEPTH) {
    const v = isObject(value) ? value : {};
    return (
      <fieldset className="form-nested">
        <legend>
          {name}
          {member.optional ? '' : ' (required)'}
        </legend>
        <ObjectFields
          schema={schema}
          type={type}
          value={v}
          path={path}
          onChange={(next) => onChange(Object.keys(next).length ? next : undefined)}
          depth={depth + 1}
          issueAt={issueAt}
        />
      </fieldset>
    );
  }
  if (type.kind === 'enum') {
    return (
      <div className="form-row">
        {label}
        <select
          {...control}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          <option value="">{member.optional ? '(not set)' : '(choose)'}</option>
          {type.values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        {errorText}
      </div>
    );
  }
  if (type.kind === 'builtin' && type.jsonType === 'boolean') {
    return (
      <div className="form-row">
        {label}
        <select
          {...control}
          value={typeof value === 'boolean' ? String(value) : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}
        >
          <option value="">(not set)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
        {errorText}
      </div>
    );
  }
  if (type.kind === 'builtin' && (type.jsonType === 'int' || type.jsonType === 'number')) {
    return (
      <div className="form-row">
        {label}
        <input
          {...control}
          type="number"
          step={type.jsonType === 'int' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
        {errorText}
      </div>
    );
  }
  if (type.kind === 'builtin' && type.jsonType === 'string') {
    return (
      <div className="form-row">
        {label}
        <input
          {...control}
          value={typeof value === 'string' ? value : ''}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
        {errorText}
      </div>
    );
  }
  // Lists, alternates, `any`, deep objects: JSON (or a bare word for a string).
  return (
    <JsonField
      id={id}
      label={label}
      title={title}
      value={value}
      onChange={onChange}
      type={type}
      error={error}
    />
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="form-error">
      {message}
    </span>
  ) : null;
}

function JsonField({
  id,
  label,
  title,
  value,
  onChange,
  type,
  error,
}: {
  id: string;
  label: ReactNode;
  title: string;
  value: Json | undefined;
  onChange: (v: Json | undefined) => void;
  type: SchemaType;
  error: string | undefined;
}) {
  /** JSON being typed that does not parse yet: the line gets it as text, the field says why. */
  const [unparsed, setUnparsed] = useState<string | null>(null);
  const message = unparsed ?? error;
  const text =
    value === undefined
      ? ''
      : typeof value === 'string' && type.kind !== 'builtin'
        ? value
        : JSON.stringify(value);
  return (
    <div className="form-row">
      {label}
      <input
        id={id}
        value={text}
        spellCheck={false}
        placeholder={title}
        aria-invalid={message ? true : undefined}
        aria-describedby={`${id}-type${message ? ` ${id}-error` : ''}`}
        onChange={(e) => {
          const t = e.target.value;
          setUnparsed(null);
          if (t === '') return onChange(undefined);
          const scalar = jsonScalar(t);
          if (scalar !== undefined) return onChange(scalar);
          if (t.startsWith('{') || t.startsWith('[') || t.startsWith('"')) {
            try {
              return onChange(parseJsonText(t).value);
            } catch (err) {
              // Kept as text in the line until it parses.
              setUnparsed(
                `Not JSON yet (${err instanceof Error ? err.message : String(err)}): sent as text.`,
              );
            }
          }
          onChange(t);
        }}
      />
      <span id={`${id}-type`} className="muted form-type">
        {title}
      </span>
      <FieldError id={`${id}-error`} message={message} />
    </div>
  );
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
