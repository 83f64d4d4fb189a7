import { describe, expect, it } from 'vitest';
import {
  exportFileName,
  exportUrl,
  filtersToSearch,
  hasFilters,
  NO_FILTERS,
  parseFilters,
  toggleEvent,
} from './log-filters.ts';

describe('filters in the URL', () => {
  it('reads every filter', () => {
    expect(
      parseFilters(
        '?event=STOP&event=block_io_error&vm=vm1&q=bad0&since=2026-11-26T13:00:00Z&until=2026-11-26T14:00:00Z',
      ),
    ).toEqual({
      events: ['BLOCK_IO_ERROR', 'STOP'],
      vm: 'vm1',
      text: 'bad0',
      since: '2026-11-26T13:00:00Z',
      until: '2026-11-26T14:00:00Z',
    });
  });

  it('accepts comma lists, drops duplicates, bad names and bad times', () => {
    expect(parseFilters('event=STOP,RESUME&event=STOP&event=no%20way&since=yesterday')).toEqual({
      ...NO_FILTERS,
      events: ['RESUME', 'STOP'],
    });
  });

  it('writes them back in a stable order, and nothing for no filters', () => {
    const f = parseFilters(
      'until=2026-11-26T14:00:00Z&q=disk%20full&vm=vm%202&event=STOP&event=BLOCK_IO_ERROR',
    );
    const search = filtersToSearch(f);
    expect(search).toBe('event=BLOCK_IO_ERROR&event=STOP&vm=vm+2&q=disk+full&until=2026-11-26T14%3A00%3A00Z');
    expect(parseFilters(search)).toEqual(f);
    expect(filtersToSearch(NO_FILTERS)).toBe('');
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters(f)).toBe(true);
  });

  it('toggles event names', () => {
    const one = toggleEvent(NO_FILTERS, 'STOP');
    expect(one.events).toEqual(['STOP']);
    expect(toggleEvent(toggleEvent(one, 'BLOCK_IO_ERROR'), 'STOP').events).toEqual(['BLOCK_IO_ERROR']);
  });
});

describe('export', () => {
  it("asks the journal for the selection's NDJSON, oldest first", () => {
    const f = parseFilters('event=BLOCK_IO_ERROR&q=bad0&since=2026-11-26T13:00:00Z');
    expect(exportUrl(f, 'vm 1')).toBe(
      '/api/vms/vm%201/events?format=ndjson&order=asc&event=BLOCK_IO_ERROR&since=2026-11-26T13%3A00%3A00Z',
    );
    expect(exportUrl(NO_FILTERS, null)).toBe('/api/events?format=ndjson&order=asc');
    expect(exportFileName('vm1', new Date('2026-11-26T13:04:05.678Z'))).toBe(
      'qmp-events-vm1-2026-11-26T130405.ndjson',
    );
  });
});
