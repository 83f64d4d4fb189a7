import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { precompress } from './scripts/precompress-plugin.ts';

// The proxy serves the built SPA itself; in `npm run dev` Vite forwards the API and the QMP socket to it.
const proxyTarget = process.env.QMP_CONSOLE_DEV_PROXY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // The proxy reads it to name a VM page's chunk in that page's head (proxy/http/index-page.ts).
    manifest: true,
    rollupOptions: {
      output: {
        // The app's own code that the first page and the lazy pages share (the protocol, the API and
        // QMP clients, react-query's mutations) is one chunk: a VM's page fetched it as three small ones,
        // each a request with its headers. React and react-query's core stay a chunk of their own: one
        // big file would be compiled in one piece before anything runs. The page-title hook (a few
        // hundred bytes every lazy page uses) rides along rather than cost a request of its own.
        codeSplitting: {
          groups: [
            {
              name: 'app-shared',
              test: /[\\/]protocol[\\/]|web[\\/]src[\\/](api|qmp)[\\/]|web[\\/]src[\\/]ui[\\/]use-page-title\.ts|@tanstack[\\/](query-core|react-query)[\\/]build[\\/]modern[\\/](mutation|mutationObserver|useMutation)\.js/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: proxyTarget, changeOrigin: false },
      '/qmp': { target: proxyTarget, ws: true, changeOrigin: false },
    },
  },
  test: {
    root: '.',
    // Consoles started by tests log only warnings (their audit lines would drown the report).
    env: { QMP_CONSOLE_LOG: process.env.QMP_CONSOLE_LOG ?? 'warn' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit-node',
          include: ['proxy/**/*.test.ts', 'protocol/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['proxy/**/*.int.test.ts'],
          environment: 'node',
          // Some tests build 64 MiB messages: on a busy 2-core machine that alone can take seconds.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-web',
          include: ['web/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['web/src/test-support/dom-setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['proxy/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
