import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Permission, RoleName } from '@proxdeck/contracts';
import { deleteRedisKeys } from '@proxdeck/testing';
import { createHttpApp } from '../../src/bootstrap';
import { UserFactory } from '../factories';
import { JobRunner } from '../../src/platform/queue/job-runner';
import type { AppConfig } from '../../src/platform/config/app-config';
import { ADMIN_PASSWORD, testConfig } from './test-config';

export { ADMIN_PASSWORD };

export interface InjectResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface Caller {
  username: string;
  csrfToken: string;
  cookieValue: string;
  request(
    method: string,
    url: string,
    options?: { body?: unknown; payload?: string; headers?: Record<string, string>; csrf?: boolean },
  ): Promise<InjectResult>;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  request(
    method: string,
    url: string,
    options?: { body?: unknown; headers?: Record<string, string>; payload?: string; remoteAddress?: string },
  ): Promise<InjectResult>;
  createUser(
    role: RoleName,
    options?: { permissions?: Permission[] },
  ): Promise<{ username: string; password: string }>;
  login(username: string, password: string): Promise<Caller>;
  /** The app listening on a free port (started on first use): for streams, which inject cannot follow. */
  url(): Promise<string>;
  /** The status a GET of a streaming route answers `caller` (or an anonymous client); the stream is then dropped. */
  streamStatus(path: string, caller?: Caller): Promise<number>;
  admin(): Promise<Caller>;
  close(): Promise<void>;
}

/** The whole API in-process on the real Postgres and Redis, driven through Fastify's inject. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const app = await createHttpApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  if (config.values.RUN_WORKERS) await app.get(JobRunner).startProcessing();

  const request: TestApp['request'] = async (method, url, options = {}) => {
    const response = await app.inject({
      method: method as 'GET',
      url,
      ...(options.remoteAddress !== undefined ? { remoteAddress: options.remoteAddress } : {}),
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.payload !== undefined
        ? { payload: options.payload }
        : options.body !== undefined
          ? { payload: JSON.stringify(options.body) }
          : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: <T>() => JSON.parse(response.body) as T,
    };
  };

  const login = async (username: string, password: string): Promise<Caller> => {
    const response = await app.inject({ method: 'POST', url: '/login', payload: { username, password } });
    if (response.statusCode !== 200)
      throw new Error(`login of ${username} failed: ${response.statusCode} ${response.body}`);
    const cookie = response.cookies.find((candidate) => candidate.name === config.values.SESSION_COOKIE_NAME);
    if (!cookie) throw new Error('login set no session cookie');
    const csrfToken = (JSON.parse(response.body) as { data: { csrf_token: string } }).data.csrf_token;
    return {
      username,
      csrfToken,
      cookieValue: cookie.value,
      request: (method, url, options = {}) =>
        request(method, url, {
          ...(options.body !== undefined ? { body: options.body } : {}),
          ...(options.payload !== undefined ? { payload: options.payload } : {}),
          headers: {
            cookie: `${cookie.name}=${cookie.value}`,
            ...(options.csrf === false ? {} : { 'x-csrf-token': csrfToken }),
            ...options.headers,
          },
        }),
    };
  };

  let listening: Promise<string> | null = null;
  const url = (): Promise<string> => {
    listening ??= app.listen(0, '127.0.0.1').then(() => {
      const address = app.getHttpServer().address() as { port: number };
      return `http://127.0.0.1:${String(address.port)}`;
    });
    return listening;
  };

  return {
    app,
    config,
    request,
    login,
    url,
    async streamStatus(path, caller) {
      const abort = new AbortController();
      const response = await fetch(`${await url()}${path}`, {
        headers: caller ? { cookie: `${config.values.SESSION_COOKIE_NAME}=${caller.cookieValue}` } : {},
        signal: abort.signal,
      });
      abort.abort();
      return response.status;
    },
    admin: () => login('admin', ADMIN_PASSWORD),
    async createUser(role, options = {}) {
      const { username, password } = await UserFactory.create(app, {
        role,
        ...(options.permissions ? { permissions: options.permissions } : {}),
      });
      return { username, password };
    },
    async close() {
      await app.close();
      await deleteRedisKeys(config.values.REDIS_PREFIX);
    },
  };
}
