/** Test helpers: a simulator on a random port, clients for it, raw requests, and polling with a deadline. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { PveClient, type PveClientOptions } from '@proxdeck/pve-client';
import { startPveSimulator, type PveSimulatorOptions, type RunningPveSimulator } from '../src';

/** Test-only credentials; the simulator itself never contains any. */
export const ROOT_PASSWORD = 'test-root-password';
export const TOKEN = { id: 'root@pam!proxdeck', secret: '4f1d7a52-7c55-4b9e-9a3c-1e2f3a4b5c6d' };
/** Reused between runs so certificates are generated once. */
export const TEST_CERT_DIR = join(tmpdir(), 'proxdeck-pve-sim-test-certs');

export function startTestSim(options: Partial<PveSimulatorOptions> = {}): Promise<RunningPveSimulator> {
  return startPveSimulator({
    port: 0,
    protocol: 'http',
    timeScale: 0.001,
    seed: 42,
    rootPassword: ROOT_PASSWORD,
    apiToken: TOKEN,
    certDir: TEST_CERT_DIR,
    ...options,
  });
}

export function tokenClient(sim: RunningPveSimulator, extra: Partial<PveClientOptions> = {}): PveClient {
  return new PveClient({
    baseUrl: sim.url,
    auth: { type: 'token', tokenId: TOKEN.id, secret: TOKEN.secret },
    ...(sim.caFile !== undefined ? { caFile: sim.caFile } : {}),
    taskWatcher: { intervalMs: 10 },
    retry: { retries: 0 },
    ...extra,
  });
}

export function ticketClient(sim: RunningPveSimulator, extra: Partial<PveClientOptions> = {}): PveClient {
  return new PveClient({
    baseUrl: sim.url,
    auth: { type: 'ticket', username: 'root@pam', password: ROOT_PASSWORD },
    taskWatcher: { intervalMs: 10 },
    retry: { retries: 0 },
    ...extra,
  });
}

export interface RawResponse {
  status: number;
  statusText: string;
  text: string;
  json: unknown;
  contentType: string | undefined;
}

/** A request that bypasses the client, to see exactly what the server answers. */
export async function raw(
  sim: RunningPveSimulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  path: string,
  options: { headers?: Record<string, string>; body?: string; token?: boolean } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== false && headers.authorization === undefined && headers.cookie === undefined) {
    headers.authorization = `PVEAPIToken=${TOKEN.id}=${TOKEN.secret}`;
  }
  if (options.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  const dispatcher =
    sim.caFile !== undefined ? new Agent({ connect: { ca: readFileSync(sim.caFile, 'utf8') } }) : undefined;
  const res = await request(`${sim.url}${path}`, {
    method,
    headers,
    body: options.body ?? null,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const text = await res.body.text();
  await dispatcher?.close();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    statusText: res.statusText,
    text,
    json,
    contentType: Array.isArray(ct) ? ct[0] : ct,
  };
}

export async function eventually<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
