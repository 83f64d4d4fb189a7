import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupApp, renderApp, stubVmsApi, VM1 } from '../test-support/render-app.tsx';

afterEach(cleanupApp);

describe('VM route', () => {
  it('says so when a VM link names no section (a mistyped or stale deep link), instead of a blank page', async () => {
    stubVmsApi([VM1]);
    renderApp('/vms/vm1/blocks');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'vm1 overview' }).getAttribute('href')).toBe('/vms/vm1');
  });
});
