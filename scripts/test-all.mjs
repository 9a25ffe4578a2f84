#!/usr/bin/env node
// Every check of the project, in one run: lint, types, formatting, build, OpenAPI and migration drift,
// then every Jest suite (unit, integration on the real Postgres and Redis, API and browser end-to-end).
// Ends with one line "N passed, N failed" (tests, plus one entry per non-test check) and exits non-zero
// on any failure. Run by `npm test` and by .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'proxdeck-tests-'));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const only = process.argv.slice(2);
const results = [];

function run(name, command, args, extraEnv = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const outcome = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `=== ${name}: ${outcome.status === 0 ? 'ok' : `FAILED (exit ${outcome.status ?? outcome.signal})`} in ${seconds} s`,
  );
  return outcome.status === 0;
}

function check(name, command, args, extraEnv) {
  if (only.length > 0 && !only.includes(name)) return;
  const ok = run(name, command, args, extraEnv);
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
}

function jestSuite(name, args) {
  if (only.length > 0 && !only.includes(name)) return;
  const report = join(scratch, `${name}.json`);
  const ok = run(name, 'npx', ['jest', ...args, '--json', `--outputFile=${report}`]);
  let passed = 0;
  let failed = ok ? 0 : 1;
  if (existsSync(report)) {
    const summary = JSON.parse(readFileSync(report, 'utf8'));
    passed = summary.numPassedTests;
    failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
    if (summary.numTotalTests === 0) failed += 1; // a suite that ran nothing is a failure
  }
  if (!ok && failed === 0) failed = 1; // jest failed for a reason outside the tests (open handles, config)
  results.push({ name, passed, failed });
}

function unitConfigs() {
  const configs = [];
  for (const group of ['apps', 'libs']) {
    for (const project of readdirSync(join(root, group))) {
      const config = join(group, project, 'jest.config.cjs');
      if (project.endsWith('-e2e') || !existsSync(join(root, config))) continue;
      configs.push(config);
    }
  }
  return configs;
}

check('scripts', 'node', ['--test', 'scripts/services.test.mjs']);
check('lint', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=static']);
check('typecheck', 'npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=static']);
check('format', 'npx', ['prettier', '--check', '.']);
check('build', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
check('openapi-drift', 'node', ['apps/api/dist/cli/openapi.js', 'check']);
{
  const database = `proxdeck_drift_${randomBytes(4).toString('hex')}`;
  const server = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(server);
  url.pathname = `/${database}`;
  check('migration-drift', 'node', ['apps/api/dist/cli/database.js', 'check'], {
    DATABASE_URL: url.toString(),
    ADMIN_PASSWORD: '',
  });
  if (only.length === 0 || only.includes('migration-drift')) {
    spawnSync('psql', [server, '-q', '-c', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`], {
      stdio: 'inherit',
    });
  }
}
jestSuite('unit', ['--projects', ...unitConfigs()]);
jestSuite('integration', ['-c', 'apps/api/jest.integration.config.cjs', '--runInBand']);
jestSuite('api-e2e', ['-c', 'apps/api-e2e/jest.config.cjs', '--runInBand']);
if (existsSync(join(root, 'apps/web-e2e/jest.config.cjs'))) {
  jestSuite('web-e2e', ['-c', 'apps/web-e2e/jest.config.cjs', '--runInBand']);
}

console.log('\n=== summary');
for (const result of results)
  console.log(`${result.name.padEnd(16)} ${result.passed} passed, ${result.failed} failed`);
const passed = results.reduce((sum, result) => sum + result.passed, 0);
const failed = results.reduce((sum, result) => sum + result.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
