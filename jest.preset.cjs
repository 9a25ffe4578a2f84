// Shared Jest settings: SWC compiles TypeScript (with decorator metadata for NestJS), workspace libraries
// resolve to their sources so tests never need a build first.
const path = require('node:path');

const root = __dirname;
const swc = {
  jsc: {
    parser: { syntax: 'typescript', tsx: true, decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', swc] },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: {
    '^@proxdeck/contracts$': path.join(root, 'libs/contracts/src/index.ts'),
    '^@proxdeck/api-client$': path.join(root, 'libs/api-client/src/index.ts'),
    '^@proxdeck/pve-client$': path.join(root, 'libs/pve-client/src/index.ts'),
    '^@proxdeck/pve-sim$': path.join(root, 'apps/pve-sim/src/index.ts'),
    '^@proxdeck/testing$': path.join(root, 'libs/testing/src/index.ts'),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // ESM-only dependencies (content-disposition 3, pulled in by @fastify/static, which serves the OpenAPI viewer's
  // files) are compiled to CommonJS for Jest on Node 20.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
};
