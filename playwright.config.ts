import { defineConfig, devices } from '@playwright/test';
import { demoToken } from './e2e/support/demo-token.ts';

// In-process consoles of the fixtures log only warnings, unless asked for more.
process.env.QMP_CONSOLE_LOG ??= 'warn';

// The console under test is the real CLI with its real demo VM (QEMU), on a fixed port.
const demoPort = Number(process.env.E2E_DEMO_PORT ?? 18_080);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Journeys boot real QEMUs and drive storms: on a busy 2-core machine one can take a minute.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${demoPort}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } },
  ],
  webServer: {
    command: `node e2e/support/demo-server.mjs ${demoPort}`,
    url: `http://127.0.0.1:${demoPort}/`,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { QMP_CONSOLE_TOKEN: demoToken, QMP_CONSOLE_LOG: 'warn' },
  },
});
