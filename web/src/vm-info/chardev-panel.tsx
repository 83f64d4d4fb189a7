// Character devices: `query-chardev` (serial ports, monitors, consoles and where they lead).
import { useQuery } from '@tanstack/react-query';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import { vmInfoQueries } from './queries.ts';

export function ChardevPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const chardev = useQuery(whenAvailable(vmInfoQueries.chardev(vm), available('query-chardev')));
  return (
    <PanelFrame
      id="chardev"
      title="Character devices"
      connected={connected}
      sources={[{ command: 'query-chardev', query: chardev, available: available('query-chardev') }]}
    >
      {() =>
        chardev.data && chardev.data.length > 0 ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          <div className="table-scroll" tabIndex={0}>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Backend</th>
                  <th scope="col">Front end open</th>
                </tr>
              </thead>
              <tbody>
                {chardev.data.map((c) => (
                  <tr key={c.label}>
                    <th scope="row">
                      <code>{c.label}</code>
                    </th>
                    <td className="wrap-anywhere">
                      <code>{c.filename}</code>
                    </td>
                    <td>{c['frontend-open'] ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No character devices.</p>
        )
      }
    </PanelFrame>
  );
}
