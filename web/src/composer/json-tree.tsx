// A reply as a collapsible tree. Fast on big replies (the schema is ~1,000 entries, ~200 KiB): big
// nodes start collapsed, children render only once opened, and at most CHUNK of them at a time.
import { memo, useState } from 'react';
import type { Json } from '../../../protocol/qmp.ts';

export const CHUNK = 100;
/** A container with more children than this starts collapsed. */
const OPEN_LIMIT = 20;
/** Containers deeper than this start collapsed. */
const OPEN_DEPTH = 2;

const isContainer = (v: Json): v is Json[] | { [k: string]: Json } => typeof v === 'object' && v !== null;

function childCount(v: Json[] | { [k: string]: Json }): number {
  return Array.isArray(v) ? v.length : Object.keys(v).length;
}

function summary(v: Json[] | { [k: string]: Json }): string {
  const n = childCount(v);
  if (Array.isArray(v)) return n === 0 ? '[]' : `[${n} ${n === 1 ? 'item' : 'items'}]`;
  return n === 0 ? '{}' : `{${n} ${n === 1 ? 'key' : 'keys'}}`;
}

export function JsonTree({ value, label }: { value: Json; label: string }) {
  return (
    <div className="json-tree" data-label={label}>
      <ul>
        <JsonNode name={null} value={value} depth={0} />
      </ul>
    </div>
  );
}

const JsonNode = memo(function JsonNode({
  name,
  value,
  depth,
}: {
  name: string | null;
  value: Json;
  depth: number;
}) {
  const container = isContainer(value);
  const count = container ? childCount(value) : 0;
  const [open, setOpen] = useState(() => container && count > 0 && depth < OPEN_DEPTH && count <= OPEN_LIMIT);
  const [shown, setShown] = useState(CHUNK);
  const key = name === null ? null : <span className="json-key">{name}: </span>;

  if (!container) {
    return (
      <li>
        {key}
        <Scalar value={value} />
      </li>
    );
  }
  if (count === 0) {
    return (
      <li>
        {key}
        <span className="json-punct">{Array.isArray(value) ? '[]' : '{}'}</span>
      </li>
    );
  }
  const entries: [string, Json][] = Array.isArray(value)
    ? value.slice(0, shown).map((v, i) => [String(i), v])
    : Object.entries(value).slice(0, shown);
  return (
    <li>
      <button
        type="button"
        className="json-toggle"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        aria-label={`${name ?? 'reply'} ${summary(value)}`}
      >
        <span aria-hidden="true" className="json-caret">
          {open ? '▾' : '▸'}
        </span>
        {key}
        <span className="json-summary">{summary(value)}</span>
      </button>
      {open ? (
        <ul>
          {entries.map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {count > shown ? (
            <li>
              <button type="button" className="link-button" onClick={() => setShown((s) => s + CHUNK)}>
                Show {Math.min(CHUNK, count - shown)} more ({count - shown} not shown)
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
});

function Scalar({ value }: { value: Json }) {
  const type = value === null ? 'null' : typeof value;
  return <span className={`json-${type}`}>{JSON.stringify(value)}</span>;
}
