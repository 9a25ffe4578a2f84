// One lint configuration for the whole workspace: typescript-eslint's strict type-checked rules as errors,
// Nx module boundaries (the SPA never imports server code, contracts import nothing, pve-client knows no NestJS),
// and the API's layering (tools/eslint/layering.cjs: platform below modules, modules joined by public files).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import proxdeck from './tools/eslint/layering.cjs';

// The API's source roots the layering rule judges. The second holds fixtures that must NOT lint (their test,
// apps/api/src/architecture.spec.ts, runs ESLint on them with --no-ignore and expects each violation).
const API_ROOTS = ['apps/api/src', 'apps/api/test/layering-fixtures/src'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.nx/**',
      'libs/api-client/src/generated/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/vite.config.ts',
      'apps/api/test/layering-fixtures/**',
    ],
  },
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/consistent-type-definitions': 'off',
      // NestJS DTO classes describe shapes for validation and OpenAPI; handlers return plain objects of those
      // shapes by design (immich, twenty do the same), so "object literal where a class instance is expected" is noise.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:api-client', onlyDependOnLibsWithTags: ['type:contracts'] },
            {
              sourceTag: 'type:pve-client',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'bull'],
            },
            {
              sourceTag: 'type:pve-sim',
              onlyDependOnLibsWithTags: ['type:pve-client'],
              bannedExternalImports: ['@nestjs/*'],
            },
            {
              sourceTag: 'type:api',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:pve-client', 'type:pve-sim', 'type:testing'],
            },
            {
              sourceTag: 'type:web',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:api-client'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'bull', 'fastify', 'pg', 'ioredis'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:pve-sim', 'type:pve-client'],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:api-client',
                'type:pve-client',
                'type:pve-sim',
                'type:testing',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/api/**/*.ts'],
    plugins: { proxdeck },
    rules: { 'proxdeck/layering': ['error', { roots: API_ROOTS }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**/*.ts', 'apps/*-e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  prettier,
);
