/** The operator token of the demo console that Playwright's webServer starts (the real CLI). */
export const demoToken = 'e2e-demo-token-0123456789abcdef';
