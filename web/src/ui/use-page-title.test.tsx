import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { usePageTitle } from './use-page-title.ts';

describe('usePageTitle', () => {
  it('names the tab while the page is shown and gives it back after', () => {
    const { rerender, unmount } = renderHook(({ title }) => usePageTitle(title), {
      initialProps: { title: 'Composer · demo' },
    });
    expect(document.title).toBe('Composer · demo · QMP Console');
    rerender({ title: 'demo events' });
    expect(document.title).toBe('demo events · QMP Console');
    unmount();
    expect(document.title).toBe('QMP Console');
  });
});
