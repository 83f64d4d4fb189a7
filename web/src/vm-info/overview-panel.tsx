// Overview: what QEMU's old `vm-info` printed, and what an operator asks first.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { QmpVersion } from '../../../protocol/qmp.ts';
import { formatQemuVersion } from '../../../protocol/qmp.ts';
import { QmpError } from '../qmp/qmp-errors.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { useCommandAvailability, useRefusal, whenAvailable } from './capabilities.ts';
import { formatBytes } from './format.ts';
import { PanelFrame, type PanelSource } from './panel-frame.tsx';
import type { KvmInfo, MachineInfo } from './qapi.ts';
import { vmInfoQueries } from './queries.ts';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function describeAcceleration(kvm: KvmInfo): string {
  if (kvm.enabled) return 'KVM';
  return kvm.present ? 'TCG (KVM available but not enabled)' : 'TCG (no KVM)';
}

/** The machine type from `qom-get /machine type` ("pc-i440fx-7.2-machine" → "pc-i440fx-7.2"). */
export function machineNameFromQomType(type: string): string {
  return type.endsWith('-machine') ? type.slice(0, -'-machine'.length) : type;
}

export function OverviewPanel({
  vm,
  connected,
  version,
}: {
  vm: string;
  connected: boolean;
  /** From the QMP greeting (no `query-version` needed). */
  version: QmpVersion | null;
}) {
  const available = useCommandAvailability(vm);
  const name = useQuery(whenAvailable(vmInfoQueries.name(vm), available('query-name')));
  const uuid = useQuery(whenAvailable(vmInfoQueries.uuid(vm), available('query-uuid')));
  const kvm = useQuery(whenAvailable(vmInfoQueries.kvm(vm), available('query-kvm')));
  const target = useQuery(whenAvailable(vmInfoQueries.target(vm), available('query-target')));
  const machines = useQuery(whenAvailable(vmInfoQueries.machines(vm), available('query-machines')));
  // QEMU before 8.0 does not mark the current machine: ask the object tree for /machine's type.
  const needsQomType = machines.isSuccess && !machines.data.some((m) => m['is-current']);
  // A viewer's page calls only what the console's policy allows: no qom-get it would refuse.
  const session = useQuery(vmInfoQueries.session());
  const qomGetRefused = useRefusal()('qom-get');
  const mayAskQom = needsQomType && !session.isPending && qomGetRefused === null;
  const machineType = useQuery(
    whenAvailable(vmInfoQueries.qomGet(vm, '/machine', 'type'), mayAskQom ? available('qom-get') : false),
  );
  const balloon = useQuery(whenAvailable(vmInfoQueries.balloon(vm), available('query-balloon')));
  const hpetAvailable = available('query-hpet');
  const hpet = useQuery(whenAvailable(vmInfoQueries.hpet(vm), hpetAvailable));

  const sources: PanelSource[] = [
    { command: 'query-name', query: name, available: available('query-name') },
    { command: 'query-uuid', query: uuid, available: available('query-uuid') },
    { command: 'query-kvm', query: kvm, available: available('query-kvm'), optional: true },
    { command: 'query-target', query: target, available: available('query-target'), optional: true },
    { command: 'query-machines', query: machines, available: available('query-machines'), optional: true },
    ...(mayAskQom
      ? [{ command: 'qom-get', query: machineType, available: available('qom-get'), optional: true }]
      : []),
    { command: 'query-balloon', query: balloon, available: available('query-balloon'), optional: true },
    { command: 'query-hpet', query: hpet, available: hpetAvailable, optional: true },
  ];

  return (
    <PanelFrame id="overview" title="Overview" sources={sources} connected={connected}>
      {() => (
        <dl className="facts">
          <Fact term="Name">
            {name.data?.name ? (
              <strong>{name.data.name}</strong>
            ) : (
              <span className="muted">not set (no -name)</span>
            )}
          </Fact>
          <Fact term="UUID">
            {uuid.data ? (
              <>
                <code>{uuid.data.UUID}</code>
                {uuid.data.UUID === NIL_UUID ? <span className="muted"> (not set)</span> : null}
              </>
            ) : null}
          </Fact>
          <Fact term="QEMU version">{version ? formatQemuVersion(version) : <Unknown />}</Fact>
          <Fact term="Package">{version?.package ? version.package : <Unknown />}</Fact>
          <Fact term="Acceleration">
            <Optional command="query-kvm" available={available('query-kvm')} query={kvm}>
              {(d) => describeAcceleration(d)}
            </Optional>
          </Fact>
          <Fact term="Target">
            <Optional command="query-target" available={available('query-target')} query={target}>
              {(d) => <code>{d.arch}</code>}
            </Optional>
          </Fact>
          <Fact term="Machine">
            <Optional command="query-machines" available={available('query-machines')} query={machines}>
              {(list) => <CurrentMachine machines={list} qomType={machineType} qomRefused={qomGetRefused} />}
            </Optional>
          </Fact>
          <Fact term="Balloon">
            {available('query-balloon') === false ? (
              <NotInQemu command="query-balloon" />
            ) : balloon.isError &&
              balloon.error instanceof QmpError &&
              balloon.error.errorClass === 'DeviceNotActive' ? (
              <span className="muted">no balloon device</span>
            ) : (
              <Optional command="query-balloon" available={true} query={balloon}>
                {(d) => formatBytes(d.actual)}
              </Optional>
            )}
          </Fact>
          <Fact term="HPET">
            {hpetAvailable === false ? (
              <span className="muted">
                not available (this QEMU has no <code>query-hpet</code>)
              </span>
            ) : (
              <Optional command="query-hpet" available={hpetAvailable} query={hpet}>
                {(d) => (d.enabled === undefined ? JSON.stringify(d) : d.enabled ? 'enabled' : 'disabled')}
              </Optional>
            )}
          </Fact>
        </dl>
      )}
    </PanelFrame>
  );
}

function CurrentMachine({
  machines,
  qomType,
  qomRefused,
}: {
  machines: MachineInfo[];
  qomType: ReturnType<typeof useQuery<unknown, Error>>;
  /** Why this session may not run qom-get, which QEMU before 8.0 needs to name the machine. */
  qomRefused: string | null;
}) {
  let current = machines.find((m) => m['is-current']);
  if (!current && typeof qomType.data === 'string') {
    const name = machineNameFromQomType(qomType.data);
    current = machines.find((m) => m.name === name) ?? { name, 'cpu-max': 0 };
  }
  if (!current) {
    if (qomRefused)
      return (
        <span className="muted" title={qomRefused}>
          needs operator (read with qom-get)
        </span>
      );
    if (qomType.isError) return <span className="fact-problem">{errorMessage(qomType.error)}</span>;
    return qomType.isFetching ? <span className="muted">…</span> : <Unknown />;
  }
  return (
    <>
      <code>{current.name}</code>
      {current.alias ? <span className="muted"> (alias {current.alias})</span> : null}
      {current.deprecated ? <span className="muted"> (deprecated)</span> : null}
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Unknown() {
  return <span className="muted">unknown</span>;
}

function NotInQemu({ command }: { command: string }) {
  return (
    <span className="muted">
      not available (this QEMU has no <code>{command}</code>)
    </span>
  );
}

/** One fact from its own query: its value, its absence from this QEMU, or its QMP error. */
function Optional<T>({
  command,
  available,
  query,
  children,
}: {
  command: string;
  available: boolean | undefined;
  query: { data: T | undefined; isError: boolean; error: Error | null; isFetching: boolean };
  children: (data: T) => ReactNode;
}) {
  if (available === false) return <NotInQemu command={command} />;
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) return <span className="fact-problem">{errorMessage(query.error)}</span>;
  return <span className="muted">…</span>;
}
