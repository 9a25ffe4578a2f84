// Web unit tests: jsdom (with the platform's fetch classes, see test/jsdom-environment.cjs), Testing Library,
// CSS modules and stylesheets mapped to identity-obj-proxy.
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'web',
  rootDir: __dirname,
  testEnvironment: '<rootDir>/test/jsdom-environment.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '\\.(css|scss)$': 'identity-obj-proxy',
  },
  testMatch: ['<rootDir>/src/**/*.spec.{ts,tsx}', '<rootDir>/test/**/*.spec.{ts,tsx}'],
};
