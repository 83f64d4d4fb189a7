// Write thresholds per block node (`block-set-write-threshold`): QEMU sends BLOCK_WRITE_THRESHOLD once
// a write goes past one, then disarms it. Thin-provisioned volumes grow on that warning, before the
// guest meets ENOSPC and the VM pauses.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useQmpClient } from '../api/qmp-clients.ts';
import { qmpQueryKey } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { refusalSentence } from '../qemu/refusal.ts';
import { parseSize } from '../qemu/sizes.ts';
import { errorMessage, QueryError } from '../ui/query-error.tsx';
import { formatBytes } from '../ui/units.ts';
import { type BlockNodeInfo, jobQueries } from './job-queries.ts';

const SET_THRESHOLD = 'block-set-write-threshold';

export function WriteThresholds({ vm, connected }: { vm: string; connected: boolean }) {
  const ids = useId();
  const nodes = useQuery(jobQueries.blockNodes(vm));
  const session = useQuery(sessionQueryOptions).data;
  const refused = refusalSentence(session, SET_THRESHOLD);
  return (
    <section className="panel" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Write thresholds</h2>
      <p className="muted small">
        A write past a node's threshold raises <code>BLOCK_WRITE_THRESHOLD</code>, a warning alert; QEMU then
        disarms it. Sizes take QEMU's suffixes (<code>512M</code>, <code>2G</code>).
      </p>
      {refused ? <p className="muted small">{refused}</p> : null}
      {nodes.isError ? (
        <QueryError
          what="query-named-block-nodes failed"
          error={nodes.error}
          onRetry={() => void nodes.refetch()}
        />
      ) : null}
      {nodes.isSuccess && nodes.data.length === 0 ? <p className="muted">No block nodes.</p> : null}
      {nodes.data && nodes.data.length > 0 ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <div className="table-scroll" tabIndex={0}>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Driver</th>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Threshold
                </th>
                <th scope="col">Set threshold</th>
              </tr>
            </thead>
            <tbody>
              {nodes.data.map((node) => (
                <NodeRow
                  key={node['node-name']}
                  vm={vm}
                  node={node}
                  disabledWhy={!connected ? `Not connected to ${vm}.` : refused}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function NodeRow({ vm, node, disabledWhy }: { vm: string; node: BlockNodeInfo; disabledWhy: string | null }) {
  const ids = useId();
  const name = node['node-name'];
  const { client } = useQmpClient(vm);
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: (bytes: number) =>
      client.execute(SET_THRESHOLD, { 'node-name': name, 'write-threshold': bytes }),
    onSuccess: () => setText(''),
    onSettled: () =>
      void queryClient.invalidateQueries({ queryKey: qmpQueryKey(vm, 'query-named-block-nodes') }),
  });
  const submit = (bytes: number | null) => {
    if (bytes === null) {
      setProblem(`“${text}” is not a size: give bytes or a number with K, M, G or T.`);
      return;
    }
    setProblem(null);
    set.mutate(bytes);
  };
  const armed = node.write_threshold > 0;
  return (
    <tr data-node={name}>
      <th scope="row">
        <code>{name}</code>
      </th>
      <td>{node.drv}</td>
      <td className="wrap-anywhere">
        <code>{node.image?.filename ?? node.file}</code>
      </td>
      <td className="num">{node.image ? formatBytes(node.image['virtual-size']) : '—'}</td>
      <td className="num">
        {armed ? (
          <>
            {formatBytes(node.write_threshold)}
            <div className="muted small">{node.write_threshold.toLocaleString('en-US')} bytes</div>
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        <form
          className="threshold-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit(parseSize(text));
          }}
        >
          <label className="visually-hidden" htmlFor={`${ids}-in`}>
            Write threshold for node {name}
          </label>
          <input
            id={`${ids}-in`}
            type="text"
            inputMode="text"
            size={8}
            placeholder="e.g. 1G"
            value={text}
            disabled={disabledWhy !== null}
            title={disabledWhy ?? undefined}
            aria-describedby={problem ? `${ids}-err` : undefined}
            aria-invalid={problem ? true : undefined}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <button
            type="submit"
            aria-label={`Set write threshold of node ${name}`}
            disabled={disabledWhy !== null || set.isPending || text.trim() === ''}
          >
            Set
          </button>
          {armed ? (
            <button
              type="button"
              aria-label={`Clear write threshold of node ${name}`}
              disabled={disabledWhy !== null || set.isPending}
              onClick={() => submit(0)}
            >
              Clear
            </button>
          ) : null}
        </form>
        {problem ? (
          <p id={`${ids}-err`} className="field-error small">
            {problem}
          </p>
        ) : null}
        {set.isError ? (
          <p role="alert" className="notice notice-error small">
            {SET_THRESHOLD} failed: {errorMessage(set.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
