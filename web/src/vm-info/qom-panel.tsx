// QOM browser: the object tree from `qom-list`, rooted at /machine (open), /objects (user-created
// objects: -object, object-add) and /chardevs (every -chardev), each object listed when it is expanded
// and each property read (`qom-get`) when asked; any absolute path can be opened directly. Loaded on demand.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage, QueryError } from '../ui/query-error.tsx';
import { type Availability, useCommandAvailability, useRefusal, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import type { ObjectPropertyInfo } from './qapi.ts';
import { vmInfoKeys, vmInfoQueries } from './queries.ts';

export const QOM_ROOT = '/machine';
/** The other top-level containers an operator looks in: user-created objects and character devices. */
export const QOM_OTHER_ROOTS = ['/objects', '/chardevs'] as const;

/** A QOM path as typed: absolute, no trailing slash; null when it cannot be one. */
export function normalizeQomPath(text: string): string | null {
  const t = text.trim();
  if (!t.startsWith('/') || /\s/.test(t)) return null;
  const trimmed = t.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.replace(/\/{2,}/g, '/');
}

/**
 * A listing stays as it is until DEVICE_DELETED (see the events table), a reconnect or Refresh makes it
 * stale: collapsing and expanding a node costs no round trip.
 */
const LISTING_STALE_MS = Number.POSITIVE_INFINITY;

/** `child<ide-hd>` → `ide-hd`; null for properties that are not child objects. */
export function childType(type: string): string | null {
  const m = /^child<(.+)>$/.exec(type);
  return m ? m[1]! : null;
}

export function joinQomPath(parent: string, name: string): string {
  return parent.endsWith('/') ? `${parent}${name}` : `${parent}/${name}`;
}

/** Children (objects to expand) first, then the properties to read, each group in QEMU's order. */
export function splitProperties(props: readonly ObjectPropertyInfo[]) {
  return {
    children: props.filter((p) => childType(p.type) !== null),
    properties: props.filter((p) => childType(p.type) === null),
  };
}

interface NodeContext {
  vm: string;
  connected: boolean;
  canRead: boolean;
  getAvailable: Availability;
}

export function QomPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const queryClient = useQueryClient();
  const refusal = useRefusal()('qom-get');
  const root = useQuery({
    ...whenAvailable(vmInfoQueries.qomList(vm, QOM_ROOT), available('qom-list')),
    staleTime: LISTING_STALE_MS,
  });
  const [opened, setOpened] = useState<string[]>([]);
  const ctx: NodeContext = {
    vm,
    connected,
    canRead: connected && refusal === null,
    getAvailable: available('qom-get'),
  };
  return (
    <PanelFrame
      id="qom"
      title="QOM browser"
      connected={connected}
      sources={[{ command: 'qom-list', query: root, available: available('qom-list') }]}
      // Every listing, not only /machine's: objects come and go below it.
      onRefresh={() => void queryClient.invalidateQueries({ queryKey: vmInfoKeys.command(vm, 'qom-list') })}
    >
      {() => (
        <>
          {refusal ? <p className="notice notice-info">{refusal} Property values cannot be read.</p> : null}
          {ctx.getAvailable === false ? (
            <p className="notice notice-info">
              This QEMU has no <code>qom-get</code>: property values cannot be read.
            </p>
          ) : null}
          <QomPathSearch onOpen={(path) => setOpened((o) => [path, ...o.filter((p) => p !== path)])} />
          <ul className="tree qom-tree" aria-label="QOM object tree">
            {opened.map((path) => (
              <QomNode
                key={`opened:${path}`}
                ctx={ctx}
                path={path}
                label={path}
                type="opened path"
                initiallyOpen
              />
            ))}
            <QomNode ctx={ctx} path={QOM_ROOT} label={QOM_ROOT} type="container" initiallyOpen />
            {QOM_OTHER_ROOTS.map((root) => (
              <QomNode key={root} ctx={ctx} path={root} label={root} type="container" />
            ))}
          </ul>
        </>
      )}
    </PanelFrame>
  );
}

function QomPathSearch({ onOpen }: { onOpen: (path: string) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const problemId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const path = normalizeQomPath(text);
    if (path === null) {
      setProblem('A QOM path starts with / (for example /machine/peripheral-anon or /objects).');
      return;
    }
    setProblem(null);
    onOpen(path);
  };
  return (
    <form className="qom-search" aria-label="Open a QOM path" onSubmit={submit}>
      <label htmlFor={inputId}>Open QOM path</label>{' '}
      <input
        id={inputId}
        type="text"
        value={text}
        placeholder="/machine/unattached"
        spellCheck={false}
        aria-invalid={problem !== null}
        aria-describedby={problem ? problemId : undefined}
        onChange={(e) => setText(e.target.value)}
      />{' '}
      <button type="submit">Open</button>
      {problem ? (
        <p id={problemId} className="fact-problem small">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

function QomNode({
  ctx,
  path,
  label,
  type,
  initiallyOpen = false,
}: {
  ctx: NodeContext;
  path: string;
  label: string;
  type: string;
  initiallyOpen?: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const listId = useId();
  return (
    <li className="qom-node">
      <button
        type="button"
        className="tree-toggle"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true" className="tree-caret">
          {open ? '▾' : '▸'}
        </span>
        {label}
      </button>{' '}
      <span className="muted small">{type}</span>
      {open ? <QomChildren ctx={ctx} path={path} id={listId} /> : null}
    </li>
  );
}

function QomChildren({ ctx, path, id }: { ctx: NodeContext; path: string; id: string }) {
  const list = useQuery({ ...vmInfoQueries.qomList(ctx.vm, path), staleTime: LISTING_STALE_MS });
  if (list.isError && !list.isFetching)
    return (
      <div id={id}>
        <QueryError
          what={`qom-list ${path} failed`}
          error={list.error}
          onRetry={ctx.connected ? () => void list.refetch() : undefined}
        />
      </div>
    );
  if (!list.data)
    return (
      <p id={id} className="muted small">
        {ctx.connected ? 'Listing…' : 'Waiting for the QMP connection…'}
      </p>
    );
  const { children, properties } = splitProperties(list.data);
  return (
    <div id={id} className="qom-children">
      {children.length > 0 ? (
        <ul aria-label={`Objects in ${path}`}>
          {children.map((c) => (
            <QomNode
              key={c.name}
              ctx={ctx}
              path={joinQomPath(path, c.name)}
              label={c.name}
              type={childType(c.type) ?? c.type}
            />
          ))}
        </ul>
      ) : null}
      {properties.length > 0 ? (
        <ul className="qom-props" aria-label={`Properties of ${path}`}>
          {properties.map((p) => (
            <QomProperty key={p.name} ctx={ctx} path={path} prop={p} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function QomProperty({ ctx, path, prop }: { ctx: NodeContext; path: string; prop: ObjectPropertyInfo }) {
  const [requested, setRequested] = useState(false);
  const value = useQuery({
    ...whenAvailable(vmInfoQueries.qomGet(ctx.vm, path, prop.name), requested ? ctx.getAvailable : false),
    // Read on demand: a value is only as fresh as the last click.
    staleTime: Infinity,
  });
  const name = `${prop.name} of ${path}`;
  return (
    <li>
      <code className="qom-prop-name">{prop.name}</code> <span className="muted small">{prop.type}</span>{' '}
      {ctx.getAvailable !== false ? (
        <button
          type="button"
          className="small-button"
          aria-label={`${value.data !== undefined ? 'Read again' : 'Read'} ${name}`}
          disabled={!ctx.canRead || value.isFetching}
          onClick={() => (requested ? void value.refetch() : setRequested(true))}
        >
          {value.data !== undefined ? 'Read again' : 'Read'}
        </button>
      ) : null}{' '}
      {requested ? (
        <output aria-label={name} className="qom-value">
          {value.isError && !value.isFetching ? (
            <QueryErrorInline error={value.error} />
          ) : value.data !== undefined ? (
            <code>{formatQomValue(value.data)}</code>
          ) : (
            <span className="muted">reading…</span>
          )}
        </output>
      ) : null}
    </li>
  );
}

function QueryErrorInline({ error }: { error: Error }) {
  return <span className="fact-problem">{errorMessage(error)}</span>;
}

/** Strings as they are; everything else as JSON. */
export function formatQomValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
