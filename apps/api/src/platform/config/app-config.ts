import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type AppConfigValues } from './config.schema';

/** The validated settings, injectable everywhere. Built once per process by `loadConfig`. */
export class AppConfig {
  /**
   * @param processRole `api` for the HTTP server (which also starts the built-in simulator), `worker` for
   * worker processes.
   */
  constructor(
    readonly values: Readonly<AppConfigValues>,
    readonly processRole: 'api' | 'worker' = 'api',
  ) {}

  get isProduction(): boolean {
    return this.values.NODE_ENV === 'production';
  }

  /** True when no real cluster is configured and the built-in simulator stands in. */
  get usesSimulator(): boolean {
    return this.values.PVE_URL === undefined;
  }
}

/** Reads `KEY=value` lines of a .env file; the process environment wins over it. */
export function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const entries: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || line.trimStart().startsWith('#')) continue;
    let value = match[2] ?? '';
    // A quoted value is taken whole; an unquoted one ends where " #" starts a comment.
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/(^|\s+)#.*$/, '');
    entries[match[1]] = value;
  }
  return entries;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  dotEnvPath = resolve('.env'),
  processRole: AppConfig['processRole'] = 'api',
): AppConfig {
  return new AppConfig(parseConfig({ ...readDotEnv(dotEnvPath), ...env }), processRole);
}
