import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { freePort, waitFor } from '@proxdeck/testing';
import { DataSource } from 'typeorm';
import { nodeExporterQueries } from '../../src/modules/monitoring/node-exporter';
import {
  instantQuery,
  PrometheusQueryError,
  rangeQuery,
  type PrometheusEndpoint,
} from '../../src/modules/monitoring/prometheus-client';
import { ServersRepository } from '../../src/modules/servers';
import { startNodeExporter, startPrometheus, type RunningPrometheus } from '../support/prometheus';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';

type Points = [number, number][];
interface MetricsBody {
  series: Record<string, Points> | null;
  node_exporter: Record<string, Points> | null;
  node_exporter_target: string | null;
}

const last = (points: Points | undefined): number => points?.at(-1)?.[1] ?? NaN;
/**
 * How far a rate is from the one served, as a share of it: Prometheus stamps a sample when its scrape starts,
 * and the exporter computes the counter a moment later, so a rate over two samples is off by that jitter
 * (a few ms in a 1 s interval on a loaded machine).
 */
const offBy = (value: number, served: number): number => Math.abs(value - served) / served;

/**
 * Proxdeck's PromQL code against a real Prometheus (Debian's package), which discovers its target from Proxdeck's
 * service discovery endpoint with an API token, as the README's scrape config does, and scrapes node_exporter-format
 * metrics this test serves at known rates. Then: instant and range queries, Prometheus's errors, the node_exporter
 * series of a server's charts, and what the API answers when Prometheus fails.
 */
describe('Prometheus: discovery from Proxdeck, and PromQL against a real Prometheus', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let db: DataSource;
  let prometheus: RunningPrometheus | undefined;
  let exporter: Awaited<ReturnType<typeof startNodeExporter>>;
  let hanging: HttpServer | undefined;
  let endpoint: PrometheusEndpoint;
  let tokenId: string;
  const tag = randomBytes(2).toString('hex');
  const name = `prom-${tag}-web`;
  // A loopback address of this file's own (all of 127/8 is local): no other file's server shares its target.
  const host = `127.0.${String(randomInt(100, 200))}.${String(randomInt(2, 250))}`;
  let target: string;

  beforeAll(async () => {
    exporter = await startNodeExporter(host);
    target = `${host}:${String(exporter.port)}`;
    ({ simulator, t } = await startSimulatorApp(0.05, {
      RUN_WORKERS: 'false',
      NODE_EXPORTER_PORT: String(exporter.port),
    }));
    db = t.app.get(DataSource);
    admin = await t.admin();
    const vmid = 44_300 + randomInt(0, 99);
    const now = Math.floor(Date.now() / 1000);
    simulator.state.vms.push({
      vmid,
      node: 'pve1',
      createdAt: now - 7200,
      config: { name, memory: '2048', cores: '2', scsi0: `local-lvm:vm-${String(vmid)}-disk-0,size=8G` },
      pending: {},
      pendingDelete: [],
      running: true,
      paused: false,
      startedAt: now - 3600,
      pid: 30_000 + vmid,
      firewallRules: [],
      firewallOptions: {},
      guestFiles: {},
    });
    await t.app.get(ServersRepository).insert({
      name,
      vmid,
      node: 'pve1',
      status: 'running',
      cpuCores: 2,
      memoryMb: 2048,
      ipAddresses: [host],
      role: 'web',
      firewallGroup: 'web-fw',
    });
    const token = await admin.request('POST', '/api/tokens', {
      body: { name: `prometheus-${tag}`, permissions: ['view_all'] },
    });
    const { id, secret } = token.json<{ data: { id: string; secret: string } }>().data;
    tokenId = id;
    const running = await startPrometheus({
      sdUrl: `${await t.url()}/api/monitoring/prometheus-targets`,
      token: secret,
    });
    prometheus = running;
    endpoint = { url: running.url, timeoutMs: 5_000 };
    const set = await admin.request('POST', '/api/monitoring/config', {
      body: { prometheus_url: running.url },
    });
    expect(set.status).toBe(200);
    // Discovered through Proxdeck, scraped, and enough samples for a rate.
    await waitFor(
      async () => {
        const samples = await instantQuery(
          endpoint,
          `count_over_time(node_cpu_seconds_total{instance="${target}",mode="idle",cpu="0"}[1m])`,
        );
        return (samples[0]?.value[1] ?? 0) >= 3 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `Prometheus to scrape ${target}` },
    );
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await db.query('DELETE FROM monitoring_settings');
    await db.query('DELETE FROM servers WHERE name LIKE $1', [`prom-${tag}-%`]);
    if (tokenId) await admin.request('DELETE', `/api/tokens/${tokenId}`);
    await t.close();
    await simulator.close();
    await new Promise((resolve) => exporter.server.close(resolve));
    const stuck = hanging;
    if (stuck) {
      stuck.closeAllConnections();
      await new Promise((resolve) => stuck.close(resolve));
    }
  });

  it('Prometheus found the server through Proxdeck’s service discovery, with its labels', async () => {
    const [up] = await instantQuery(endpoint, `up{instance="${target}"}`);
    expect(up?.value[1]).toBe(1);
    expect(up?.metric).toMatchObject({
      job: 'proxdeck-servers',
      instance: target,
      name,
      node: 'pve1',
      role: 'web',
      firewall_group: 'web-fw',
    });
    expect(exporter.scrapes()).toBeGreaterThanOrEqual(3);
  });

  it('runs instant and range queries, the node_exporter expressions giving the rates served', async () => {
    const queries = nodeExporterQueries(target, 60);
    const at = async (expr: string) => (await instantQuery(endpoint, expr))[0]?.value[1] ?? NaN;
    expect(await at(queries.cpu)).toBeCloseTo(25, 0);
    expect(await at(queries.mem)).toBeCloseTo(25, 5);
    expect(await at(queries.disk)).toBeCloseTo(40, 5);
    expect(await at(queries.load1)).toBe(0.5);
    expect(offBy(await at(queries.netin), 1000)).toBeLessThan(0.02);
    expect(offBy(await at(queries.diskwrite), 4000)).toBeLessThan(0.02);
    const scalar = await instantQuery(endpoint, '1 + 1');
    expect(scalar[0]?.value[1]).toBe(2);

    const end = Math.floor(Date.now() / 1000);
    const series = await rangeQuery(endpoint, `node_load1{instance="${target}"}`, {
      start: end - 30,
      end,
      step: 1,
    });
    expect(series).toHaveLength(1);
    expect(series[0]?.metric.name).toBe(name);
    expect(series[0]?.values.length).toBeGreaterThanOrEqual(2);
    for (const [time, value] of series[0]?.values ?? []) {
      expect(time).toBeGreaterThanOrEqual(end - 30);
      expect(value).toBe(0.5);
    }
    expect(await instantQuery(endpoint, 'up{instance="nowhere:1"}')).toEqual([]);
  });

  it('gives Prometheus’s own error for a bad query', async () => {
    const bad = await instantQuery(endpoint, 'rate(node_load1[').catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(PrometheusQueryError);
    expect(bad).toMatchObject({ status: 400, errorType: 'bad_data' });
    expect((bad as Error).message).toMatch(/^Prometheus answered 400 \(bad_data\): .*parse error/);
    const end = Math.floor(Date.now() / 1000);
    const badRange = await rangeQuery(endpoint, 'up', { start: end, end: end - 60, step: 1 }).catch(
      (error: unknown) => error,
    );
    expect(badRange).toMatchObject({ status: 400, errorType: 'bad_data' });
    expect((badRange as Error).message).toMatch(/end timestamp must not be before start time/);
  });

  it('adds the node_exporter series to a server’s charts, beside its RRD series', async () => {
    const response = await admin.request('GET', `/api/servers/${name}/metrics?timeframe=hour`);
    expect(response.status).toBe(200);
    const body = response.json<{ data: MetricsBody }>().data;
    expect(body.node_exporter_target).toBe(target);
    expect(body.series?.cpu?.length).toBeGreaterThan(0);
    const series = body.node_exporter;
    expect(Object.keys(series ?? {}).sort()).toEqual(
      ['cpu', 'disk', 'diskread', 'diskwrite', 'load1', 'mem', 'netin', 'netout'].sort(),
    );
    expect(last(series?.cpu)).toBeCloseTo(25, 0);
    expect(last(series?.mem)).toBe(25);
    expect(last(series?.disk)).toBe(40);
    expect(last(series?.load1)).toBe(0.5);
    expect(offBy(last(series?.netin), 1000)).toBeLessThan(0.02);
    expect(offBy(last(series?.netout), 500)).toBeLessThan(0.02);
    expect(offBy(last(series?.diskread), 2000)).toBeLessThan(0.02);
    const [t0] = series?.cpu?.at(-1) ?? [];
    expect(t0).toBeGreaterThan(Date.now() / 1000 - 120);

    const only = (await admin.request('GET', `/api/servers/${name}/metrics?source=node_exporter`)).json<{
      data: MetricsBody;
    }>().data;
    expect(only.series).toBeNull();
    expect(last(only.node_exporter?.load1)).toBe(0.5);
    const pve = (await admin.request('GET', `/api/servers/${name}/metrics?source=pve`)).json<{
      data: MetricsBody;
    }>().data;
    expect(pve.node_exporter).toBeNull();
    expect(pve.series?.cpu?.length).toBeGreaterThan(0);
    const bad = await admin.request('GET', `/api/servers/${name}/metrics?source=grafana`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/source/);
  });

  it('answers 502 with Prometheus’s words when it fails, refuses to connect or does not answer in time', async () => {
    const failing = async (settings: Record<string, unknown>) => {
      await admin.request('POST', '/api/monitoring/config', { body: settings });
      const response = await admin.request('GET', `/api/servers/${name}/metrics`);
      expect(response.status).toBe(502);
      return response.json<{ code: string; error: string; details: { prometheus: unknown } }>();
    };
    expect(await failing({ prometheus_url: `${endpoint.url}/nothing-here` })).toMatchObject({
      code: 'PROMETHEUS_ERROR',
      error: expect.stringMatching(/^Prometheus answered 404 \(http\): 404 page not found/) as unknown,
      details: { prometheus: { status: 404 } },
    });
    const closed = await freePort();
    expect(await failing({ prometheus_url: `http://127.0.0.1:${String(closed)}` })).toMatchObject({
      code: 'PROMETHEUS_ERROR',
      error: 'Prometheus could not be reached: ECONNREFUSED',
      details: { prometheus: { status: null, error_type: 'unreachable' } },
    });
    const stuck = createHttpServer(() => undefined);
    hanging = stuck;
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    const port = (stuck.address() as { port: number }).port;
    expect(
      await failing({ prometheus_url: `http://127.0.0.1:${String(port)}`, prometheus_timeout_ms: 300 }),
    ).toMatchObject({
      error: 'Prometheus did not answer within 300 ms',
      details: { prometheus: { error_type: 'timeout' } },
    });

    // The RRD series stay reachable on their own; without Prometheus, node_exporter alone is a 409.
    expect((await admin.request('GET', `/api/servers/${name}/metrics?source=pve`)).status).toBe(200);
    await admin.request('POST', '/api/monitoring/config', { body: { prometheus_url: '' } });
    const off = await admin.request('GET', `/api/servers/${name}/metrics`);
    expect(off.json<{ data: MetricsBody }>().data.node_exporter).toBeNull();
    expect((await admin.request('GET', `/api/servers/${name}/metrics?source=node_exporter`)).status).toBe(
      409,
    );
  });

  it('the README’s scrape config and docker compose’s are valid Prometheus configuration, naming this endpoint', () => {
    const root = resolve(__dirname, '../../../..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```yaml\n(scrape_configs:[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toContain('/api/monitoring/prometheus-targets');
    const dir = mkdtempSync(join(tmpdir(), 'proxdeck-promtool-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, block ?? '');
      for (const config of [file, join(root, 'monitoring/prometheus/prometheus.yml')])
        expect(execFileSync('/usr/bin/promtool', ['check', 'config', config], { encoding: 'utf8' })).toMatch(
          /SUCCESS/,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
