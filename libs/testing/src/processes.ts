import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, testRedisUrl, type TestDatabase } from './database';
import { deleteRedisKeys } from './redis';
import { waitFor } from './wait';

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

export interface ManagedProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL at once: a crash. */
  kill(): Promise<void>;
}

export function startNodeProcess(
  script: string,
  env: Record<string, string>,
  label: string,
  args: readonly string[] = [],
): ManagedProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-50_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      resolveExit();
    }),
  );
  const end = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    child,
    output: () => `[${label}]\n${output}`,
    stop: () => end('SIGTERM', 5_000),
    kill: () => end('SIGKILL', 0),
  };
}

export interface ApiStack {
  baseUrl: string;
  adminUsername: string;
  adminPassword: string;
  database: TestDatabase;
  /** The environment the API runs with; a separate worker started with it joins the same stack. */
  env: Record<string, string>;
  api: ManagedProcess;
  startWorker(extraEnv?: Record<string, string>): Promise<ManagedProcess>;
  /**
   * Another API process of the same installation (same database, Redis prefix and settings) on its own port
   * and data directory (so its built-in simulator, when it starts one, is its own). Resolves once it answers.
   */
  startApi(extraEnv?: Record<string, string>): Promise<{ process: ManagedProcess; baseUrl: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the built API (apps/api/dist/main.js) on a free port with a fresh database and its own Redis
 * prefix, waits until it answers, and returns how to reach it. The SPA is served when apps/web/dist exists.
 */
export async function startApiProcess(options: { env?: Record<string, string> } = {}): Promise<ApiStack> {
  const database = await createTestDatabase();
  const port = await freePort();
  const adminPassword = `Adm-${randomBytes(9).toString('base64url')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `pdtest-${randomBytes(4).toString('hex')}`,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    WEB_DIST_DIR: join(WORKSPACE_ROOT, 'apps/web/dist'),
    PVE_SIM_PORT: '0',
    PVE_SIM_TIME_SCALE: '0.01',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'proxdeck-data-')),
    ...options.env,
  };
  const api = startNodeProcess(join(WORKSPACE_ROOT, 'apps/api/dist/main.js'), env, 'api');
  const baseUrl = `http://127.0.0.1:${port}`;
  const workers: ManagedProcess[] = [];
  try {
    await untilAnswering(api, baseUrl);
  } catch (error) {
    await api.stop();
    await database.drop();
    await deleteRedisKeys(env.REDIS_PREFIX ?? '');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${api.output()}`);
  }
  return {
    baseUrl,
    adminUsername: env.ADMIN_USERNAME ?? 'admin',
    adminPassword: env.ADMIN_PASSWORD ?? adminPassword,
    database,
    env,
    api,
    startWorker(extraEnv = {}) {
      const worker = startNodeProcess(
        join(WORKSPACE_ROOT, 'apps/api/dist/worker.js'),
        { ...env, ...extraEnv },
        'worker',
      );
      workers.push(worker);
      return Promise.resolve(worker);
    },
    async startApi(extraEnv = {}) {
      const otherPort = await freePort();
      const other = startNodeProcess(
        join(WORKSPACE_ROOT, 'apps/api/dist/main.js'),
        {
          ...env,
          PORT: String(otherPort),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'proxdeck-data-')),
          ...extraEnv,
        },
        'api',
      );
      workers.push(other);
      const otherUrl = `http://127.0.0.1:${otherPort}`;
      await untilAnswering(other, otherUrl);
      return { process: other, baseUrl: otherUrl };
    },
    async stop() {
      await Promise.all([api.stop(), ...workers.map((worker) => worker.stop())]);
      await database.drop();
      await deleteRedisKeys(env.REDIS_PREFIX ?? '');
    },
  };
}

async function untilAnswering(api: ManagedProcess, baseUrl: string): Promise<void> {
  await waitFor(
    async () => {
      if (api.child.exitCode !== null) throw new Error(`API exited early\n${api.output()}`);
      const response = await fetch(`${baseUrl}/api/health`);
      return response.ok ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the API to answer /api/health' },
  );
}
