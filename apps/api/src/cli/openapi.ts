/**
 * Writes (or checks) the committed OpenAPI document and the client types generated from it:
 *   libs/api-client/openapi.json, libs/api-client/src/generated/schema.d.ts
 * `write` regenerates both; `check` fails when either is stale. Needs no database: Nest boots in preview mode.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { loadConfig } from '../platform/config/app-config';
import { buildOpenApiDocument } from '../platform/openapi/openapi';

const ROOT = resolve(__dirname, '../../../..');
const DOCUMENT_PATH = join(ROOT, 'libs/api-client/openapi.json');
const TYPES_PATH = join(ROOT, 'libs/api-client/src/generated/schema.d.ts');

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  }
  return value;
}

async function renderDocument(): Promise<string> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(loadConfig({}, '/nonexistent')),
    new FastifyAdapter(),
    {
      preview: true,
      logger: false,
    },
  );
  const document = buildOpenApiDocument(app);
  await app.close();
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function renderTypes(documentPath: string, outputPath: string): void {
  const bin = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
  // Defaults are what the server fills in: a client may leave such a field out of a request.
  execFileSync(
    process.execPath,
    [bin, documentPath, '--output', outputPath, '--default-non-nullable', 'false'],
    {
      stdio: 'pipe',
    },
  );
  const header =
    '// Generated from libs/api-client/openapi.json by `npm run openapi:generate`. Do not edit.\n';
  writeFileSync(outputPath, header + readFileSync(outputPath, 'utf8'));
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const document = await renderDocument();
  if (mode === 'write') {
    writeFileSync(DOCUMENT_PATH, document);
    mkdirSync(dirname(TYPES_PATH), { recursive: true });
    renderTypes(DOCUMENT_PATH, TYPES_PATH);
    console.log(`wrote ${DOCUMENT_PATH} and ${TYPES_PATH}`);
    return;
  }
  if (mode === 'check') {
    const scratch = mkdtempSync(join(tmpdir(), 'proxdeck-openapi-'));
    try {
      const scratchDocument = join(scratch, 'openapi.json');
      const scratchTypes = join(scratch, 'schema.d.ts');
      writeFileSync(scratchDocument, document);
      renderTypes(scratchDocument, scratchTypes);
      const stale: string[] = [];
      if (!existsSync(DOCUMENT_PATH) || readFileSync(DOCUMENT_PATH, 'utf8') !== document)
        stale.push(DOCUMENT_PATH);
      if (!existsSync(TYPES_PATH) || readFileSync(TYPES_PATH, 'utf8') !== readFileSync(scratchTypes, 'utf8'))
        stale.push(TYPES_PATH);
      if (stale.length > 0) {
        console.error(
          `Stale generated files (run \`npm run openapi:generate\` and commit):\n  ${stale.join('\n  ')}`,
        );
        process.exitCode = 1;
      } else {
        console.log('OpenAPI document and client types are up to date');
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return;
  }
  throw new Error('usage: node apps/api/dist/cli/openapi.js write|check');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
