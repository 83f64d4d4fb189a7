import { describe, expect, it } from 'vitest';
import { isQmpEvent, isQmpGreeting, isQmpReply } from './qmp.ts';

// What the proxy reads from QEMU goes through these guards; whatever passes is used as its type says.
describe('QMP message guards', () => {
  it('take what QEMU 7.2 sends', () => {
    expect(isQmpEvent({ event: 'STOP', timestamp: { seconds: 1, microseconds: 2 } })).toBe(true);
    expect(isQmpEvent({ event: 'X', data: { a: 1 }, timestamp: { seconds: -1, microseconds: -1 } })).toBe(
      true,
    );
    expect(isQmpReply({ return: {}, id: 1 })).toBe(true);
    expect(isQmpReply({ return: null })).toBe(true);
    expect(isQmpReply({ id: 1, error: { class: 'GenericError', desc: 'x' } })).toBe(true);
    expect(
      isQmpGreeting({
        QMP: { version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'x' }, capabilities: ['oob'] },
      }),
    ).toBe(true);
  });

  it('refuse shapes that would be used as something they are not', () => {
    expect(isQmpEvent({ event: 'STOP' })).toBe(false);
    expect(isQmpEvent({ event: 'STOP', timestamp: null })).toBe(false);
    expect(isQmpEvent({ event: 'STOP', timestamp: { seconds: '1}', microseconds: 0 } })).toBe(false);
    expect(
      isQmpEvent({ event: 'STOP', timestamp: { seconds: Number.POSITIVE_INFINITY, microseconds: 0 } }),
    ).toBe(false);
    expect(isQmpEvent({ event: 'STOP', data: 5, timestamp: { seconds: 1, microseconds: 0 } })).toBe(false);
    expect(isQmpEvent({ event: 'STOP', data: [], timestamp: { seconds: 1, microseconds: 0 } })).toBe(false);
    expect(isQmpReply({ error: null, id: 1 })).toBe(false);
    expect(isQmpReply({ error: 'x', id: 1 })).toBe(false);
    expect(isQmpReply({ error: { class: 1, desc: 'x' }, id: 1 })).toBe(false);
    expect(isQmpGreeting({ QMP: {} })).toBe(false);
    expect(isQmpGreeting({ QMP: null })).toBe(false);
    expect(isQmpGreeting({ QMP: { version: { qemu: {}, package: 'x' }, capabilities: ['oob'] } })).toBe(
      false,
    );
    expect(
      isQmpGreeting({
        QMP: { version: { qemu: { micro: 0, minor: 0, major: 7 }, package: 'x' }, capabilities: 'oob' },
      }),
    ).toBe(false);
  });
});
