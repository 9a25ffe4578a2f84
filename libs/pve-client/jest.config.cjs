module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'pve-client',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
