import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const WORKSPACE = resolve(__dirname, '../../..');
const FIXTURES = join(__dirname, '../test/layering-fixtures/src');

interface EslintFileResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

/** Runs the workspace's real ESLint configuration on the layering fixtures (normally ignored). */
function lintFixtures(): Record<string, string[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'proxdeck-layering-'));
  const report = join(scratch, 'eslint.json');
  let results: EslintFileResult[];
  try {
    const outcome = spawnSync(
      process.execPath,
      [
        join(WORKSPACE, 'node_modules/eslint/bin/eslint.js'),
        '--no-ignore',
        '--format',
        'json',
        '--output-file',
        report,
        FIXTURES,
      ],
      { cwd: WORKSPACE, encoding: 'utf8' },
    );
    if (outcome.status !== 0 && outcome.status !== 1) throw new Error(`eslint failed: ${outcome.stderr}`);
    results = JSON.parse(readFileSync(report, 'utf8')) as EslintFileResult[];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return Object.fromEntries(
    results.map((result) => [
      relative(FIXTURES, result.filePath),
      result.messages.map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`),
    ]),
  );
}

describe('the API layering rule (tools/eslint/layering.cjs, in eslint.config.mjs)', () => {
  let problems: Record<string, string[]>;
  beforeAll(() => {
    problems = lintFixtures();
  }, 120_000);

  it('fails a platform file that imports a domain module or the composition root', () => {
    expect(problems['platform/clock/imports-a-module.ts']).toEqual([
      expect.stringMatching(
        /^proxdeck\/layering: platform\/ must not import a domain module \(modules\/alpha\)/,
      ),
    ]);
    expect(problems['platform/clock/imports-the-root.ts']).toEqual([
      expect.stringMatching(/^proxdeck\/layering: platform\/ must not import the composition root \(app\)/),
    ]);
  });

  it("fails a module that reaches into another module's internals", () => {
    expect(problems['modules/beta/reaches-into-alpha.ts']).toEqual([
      expect.stringMatching(
        /^proxdeck\/layering: Import module 'alpha' through its public file .*\(modules\/alpha\/alpha\.service\)/,
      ),
    ]);
  });

  it('passes public-file imports, imports within a module and the composition root', () => {
    for (const file of [
      'modules/beta/uses-alpha-publicly.ts',
      'modules/alpha/index.ts',
      'modules/alpha/alpha.service.ts',
      'platform/clock/clock.ts',
      'app.ts',
    ]) {
      expect([file, problems[file]]).toEqual([file, []]);
    }
  });
});
