import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../support/test-app';

/** A built SPA of a few files: index.html, a script with its source map, a large script, a favicon. */
function builtSpa(): string {
  const web = mkdtempSync(join(tmpdir(), 'proxdeck-web-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Proxdeck SPA</title>');
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(web, 'assets', 'app.js.map'), '{"version":3,"sources":["secret-source.ts"]}');
  writeFileSync(
    join(web, 'assets', 'big.js'),
    `const words = ${JSON.stringify('proxdeck '.repeat(20_000))};`,
  );
  writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return web;
}

describe('operations endpoints and the served SPA (docs/api.md §14, issue item 9)', () => {
  let t: TestApp;
  const web = builtSpa();

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', WEB_DIST_DIR: web, METRICS_TOKEN: 'metrics-secret-1' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves index.html for browser navigations to SPA routes, and static assets', async () => {
    const deepLink = await t.request('GET', '/servers/web-01', { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    expect(deepLink.body).toContain('Proxdeck SPA');
    expect((await t.request('GET', '/login', { headers: { accept: 'text/html' } })).body).toContain(
      'Proxdeck SPA',
    );
    const asset = await t.request('GET', '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.body).toContain('console.log');
  });

  it('sends security headers with a content security policy', async () => {
    const response = await t.request('GET', '/servers/web-01', { headers: { accept: 'text/html' } });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
    const json = await t.request('GET', '/api/health');
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps JSON 404s for unknown API paths, even for browsers', async () => {
    const response = await t.request('GET', '/api/nope', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ success: false, code: 'NOT_FOUND' });
  });

  it('protects /metrics with METRICS_TOKEN and exposes HTTP and queue metrics', async () => {
    expect((await t.request('GET', '/metrics')).status).toBe(401);
    expect((await t.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    await t.request('GET', '/api/health');
    await t.request('GET', '/api/no-such-route');
    const metrics = await t.request('GET', '/metrics', {
      headers: { authorization: 'Bearer metrics-secret-1' },
    });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(
      /proxdeck_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\}/,
    );
    expect(metrics.body).toMatch(
      /proxdeck_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]\d*/,
    );
    expect(metrics.body).not.toContain('no-such-route');
    expect(metrics.body).toMatch(/proxdeck_queue_jobs\{queue="system",state="waiting"\}/);
  });

  it('reports readiness of Postgres and Redis with latency', async () => {
    const ready = await t.request('GET', '/api/health/ready');
    const body = ready.json<{
      data: { checks: Record<string, { status: string; latency_ms: number | null }> };
    }>();
    expect(body.data.checks.postgres).toMatchObject({ status: 'up' });
    expect(body.data.checks.redis).toMatchObject({ status: 'up' });
    expect(body.data.checks.postgres?.latency_ms).toEqual(expect.any(Number));
    // The built-in simulator's least-privilege token, which Proxdeck uses, holds everything it needs.
    expect(body.data.checks.proxmox).toEqual(
      expect.objectContaining({ status: 'up', mode: 'simulator', version: '9.2.11' }),
    );
    expect(body.data.checks.proxmox).not.toHaveProperty('missing_privileges');
  });

  it('serves the OpenAPI document', async () => {
    const document = (await t.request('GET', '/api/docs-json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/tasks/{task_id}/status');
  });

  it('serves the SPA files from memory, compressed as accepted, cached by ETag, immutable when hashed', async () => {
    const plain = await t.request('GET', '/assets/app.js');
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = String(plain.headers.etag);
    const again = await t.request('GET', '/assets/app.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const big = await t.request('GET', '/assets/big.js', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(big.headers['content-encoding']).toBe('br');
    expect(Number(big.headers['content-length'])).toBeLessThan(20_000);
    const gzip = await t.request('GET', '/assets/big.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect((await t.request('GET', '/favicon.svg')).headers['cache-control']).toBe('no-cache');
  });

  it('serves source maps outside production', async () => {
    expect((await t.request('GET', '/assets/app.js.map')).status).toBe(200);
  });
});

describe('production settings', () => {
  it('refuse to start with a public /metrics', async () => {
    await expect(createTestApp({ RUN_WORKERS: 'false', NODE_ENV: 'production' })).rejects.toThrow(
      /METRICS_TOKEN: required when NODE_ENV=production/,
    );
  });
});

describe('the SPA in production', () => {
  let t: TestApp;
  const web = builtSpa();

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'false',
      NODE_ENV: 'production',
      WEB_DIST_DIR: web,
      METRICS_TOKEN: 'metrics-secret-2',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the scripts but not their source maps', async () => {
    expect((await t.request('GET', '/assets/app.js')).status).toBe(200);
    const map = await t.request('GET', '/assets/app.js.map');
    expect(map.status).toBe(404);
    expect(map.body).not.toContain('secret-source');
  });
});
