// Display: `query-vnc` and `query-spice`, each when this QEMU has it.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import type { SpiceInfo, VncInfo } from './qapi.ts';
import { vmInfoQueries } from './queries.ts';

export function DisplayPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const vncAvailable = available('query-vnc');
  const spiceAvailable = available('query-spice');
  const vnc = useQuery(whenAvailable(vmInfoQueries.vnc(vm), vncAvailable));
  const spice = useQuery(whenAvailable(vmInfoQueries.spice(vm), spiceAvailable));
  return (
    <PanelFrame
      id="display"
      title="Display"
      connected={connected}
      anyOf
      sources={[
        { command: 'query-vnc', query: vnc, available: vncAvailable },
        { command: 'query-spice', query: spice, available: spiceAvailable },
      ]}
    >
      {() => (
        <div className="subpanels">
          <section aria-labelledby="display-vnc">
            <h3 id="display-vnc">VNC</h3>
            {vncAvailable === false ? (
              <NotInQemu command="query-vnc" />
            ) : vnc.data ? (
              <Vnc info={vnc.data} />
            ) : null}
          </section>
          <section aria-labelledby="display-spice">
            <h3 id="display-spice">SPICE</h3>
            {spiceAvailable === false ? (
              <NotInQemu command="query-spice" />
            ) : spice.data ? (
              <Spice info={spice.data} />
            ) : null}
          </section>
        </div>
      )}
    </PanelFrame>
  );
}

function Vnc({ info }: { info: VncInfo }) {
  if (!info.enabled) return <p className="muted">VNC server off.</p>;
  const clients = info.clients ?? [];
  return (
    <dl className="facts">
      <Fact term="Address">
        <code>
          {info.host ?? '?'}:{info.service ?? '?'}
        </code>{' '}
        {info.family ? <span className="muted">({info.family})</span> : null}
      </Fact>
      <Fact term="Authentication">{info.auth ?? 'unknown'}</Fact>
      <Fact term="Clients">
        {clients.length === 0
          ? 'none'
          : clients.map((c) => (
              <div key={`${c.host}:${c.service}`}>
                <code>
                  {c.host}:{c.service}
                </code>
                {c.websocket ? ' (websocket)' : null}
              </div>
            ))}
      </Fact>
    </dl>
  );
}

function Spice({ info }: { info: SpiceInfo }) {
  if (!info.enabled) return <p className="muted">SPICE server off.</p>;
  return (
    <dl className="facts">
      <Fact term="Address">
        <code>
          {info.host ?? '?'}:{info.port ?? info['tls-port'] ?? '?'}
        </code>
      </Fact>
      <Fact term="Authentication">{info.auth ?? 'unknown'}</Fact>
      <Fact term="Mouse mode">{info['mouse-mode']}</Fact>
      <Fact term="Channels">{info.channels?.length ?? 0}</Fact>
    </dl>
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

function NotInQemu({ command }: { command: string }) {
  return (
    <p className="muted">
      Not available: this QEMU has no <code>{command}</code> command.
    </p>
  );
}
