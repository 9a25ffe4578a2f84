// Browser end-to-end tests: the built API (serving the built SPA) on a fresh database, driven through
// Debian's Chromium with playwright-core. Run with `nx run web-e2e:e2e`, which builds web and api first.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'web-e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.e2e.ts'],
  testTimeout: 120_000,
};
