import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import type { PveAgentFilesystem, PveRrdPoint, PveVmResource } from '@proxdeck/pve-client';
import { AppConfig } from '../../platform/config/app-config';
import { AppError, ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { isVmGone } from '../../platform/proxmox/pve-failure';
import { SERVER_NAME, ServersRepository, type Server } from '../servers';
import { AlertsService } from './alerts.service';
import {
  classify,
  percentOf,
  type AgentCheck,
  type HealthMetrics,
  type HealthObservation,
  type PveCheck,
  type TcpCheck,
} from './health';
import {
  METRIC_SOURCE_VALUES,
  METRIC_TIMEFRAME_VALUES,
  type HealthSummaryDto,
  type MetricSeriesDto,
  type MetricsDto,
  type NodeExporterSeriesDto,
  type MonitoringContentDto,
  type MonitoringSummaryDto,
  type PrometheusTargetGroup,
  type ServerHealthDto,
} from './monitoring.dto';
import { thresholdsOf, type MonitoringSettingsValues } from './monitoring-settings';
import { MonitoringSettingsService } from './monitoring-settings.service';
import { mapBounded, tcpCheck } from './tcp-check';
import { TcpProbeService } from './tcp-probe.service';
import { grafanaDashboard } from './grafana';
import { NODE_EXPORTER_SERIES, nodeExporterQueries, PROMETHEUS_RANGES } from './node-exporter';
import { PrometheusQueryError, rangeQuery, type PrometheusEndpoint } from './prometheus-client';
import { toAlertView } from './alerts.service';

export type MetricTimeframe = (typeof METRIC_TIMEFRAME_VALUES)[number];
export type MetricSource = (typeof METRIC_SOURCE_VALUES)[number];

const NO_METRICS: HealthMetrics = {
  cpu_percent: null,
  mem_percent: null,
  disk_percent: null,
  netin_bps: null,
  netout_bps: null,
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const rounded = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Math.round(value);

/**
 * Server health and metrics from real sources (docs/api.md §10): Proxmox's status and RRD data, a TCP connect
 * from this process to each server's SSH port, and the guest agent.
 */
@Injectable()
export class MonitoringService {
  constructor(
    private readonly servers: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly config: AppConfig,
    private readonly alerts: AlertsService,
    private readonly settings: MonitoringSettingsService,
    private readonly probes: TcpProbeService,
  ) {}

  /** A server by one of its addresses or by its name; 404 otherwise. */
  async find(key: string): Promise<Server> {
    const server =
      isIP(key) !== 0
        ? await this.servers.findByIp(key)
        : SERVER_NAME.test(key)
          ? await this.servers.findByName(key)
          : null;
    if (!server) throw new NotFoundError(`Server ${key.slice(0, 63)}`);
    return server;
  }

  /**
   * One server's health: `status/current`, the guest agent's `info`, the last point of the VM's hourly RRD
   * data (network rates) and a TCP connect, the three Proxmox reads at once.
   */
  async health(key: string): Promise<ServerHealthDto> {
    const [server, settings] = await Promise.all([this.find(key), this.settings.current()]);
    const report = (observation: HealthObservation, uptime: number | null): ServerHealthDto =>
      this.report(server, observation, uptime, settings);
    if (server.vmid === null || server.node === null)
      return report({ pve: 'no_vm', tcp: 'skipped', agent: 'skipped', metrics: NO_METRICS }, null);
    const pve = this.proxmox.pve();
    const { node, vmid } = server;
    let status;
    try {
      status = await pve.vmStatus(node, vmid);
    } catch (error) {
      const check: PveCheck = isVmGone(error) ? 'missing' : 'unreachable';
      return report(
        { pve: check, pveError: errorText(error), tcp: 'skipped', agent: 'skipped', metrics: NO_METRICS },
        null,
      );
    }
    const running = status.status === 'running';
    const paused = running && status.qmpstatus === 'paused';
    const pveCheck: PveCheck = paused ? 'paused' : running ? 'running' : 'stopped';
    if (pveCheck !== 'running')
      return report({ pve: pveCheck, tcp: 'skipped', agent: 'skipped', metrics: NO_METRICS }, status.uptime);
    const [agent, fs, rrd, tcp] = await Promise.all([
      status.agent === 1
        ? pve.agentInfo(node, vmid).then(
            (): { check: AgentCheck; error?: string } => ({ check: 'ok' }),
            (error: unknown): { check: AgentCheck; error?: string } => ({
              check: 'down',
              error: errorText(error),
            }),
          )
        : Promise.resolve<{ check: AgentCheck; error?: string }>({ check: 'disabled' }),
      // The guest's own disk figures (Proxmox reports none for qemu VMs), asked at once with the agent's info.
      status.agent === 1
        ? pve.agentFsInfo(node, vmid).then(fullestFilesystem, () => undefined)
        : Promise.resolve(undefined),
      pve.vmRrdData(node, vmid, { timeframe: 'hour' }).then(
        (points) => lastPoint(points),
        () => undefined,
      ),
      this.tcp(server, settings),
    ]);
    const extra = status as unknown as Record<string, number | undefined>;
    const guestDisk = agent.check === 'ok' ? fs : undefined;
    return report(
      {
        pve: 'running',
        ...tcp,
        agent: agent.check,
        ...(agent.error !== undefined ? { agentError: agent.error } : {}),
        ...(guestDisk ? { diskMount: guestDisk.mountpoint } : {}),
        metrics: {
          cpu_percent: Math.round(status.cpu * 1000) / 10,
          mem_percent: percentOf(status.mem, status.maxmem),
          disk_percent: guestDisk
            ? guestDisk.percent
            : extra.disk
              ? percentOf(extra.disk, extra.maxdisk)
              : null,
          netin_bps: rounded(rrd?.netin),
          netout_bps: rounded(rrd?.netout),
        },
      },
      status.uptime,
    );
  }

  /**
   * Every server's health from one read of the cluster (`/cluster/resources?type=vm`), whatever the number of
   * servers, and a TCP connect per running server (at most HEALTH_TCP_CONCURRENCY at once). The guest agent is
   * not asked (`checks.agent: not_checked`) and network rates are not given: both would take a request per
   * server.
   */
  async summary(): Promise<HealthSummaryDto> {
    return summarise(await this.allHealth());
  }

  /** Every server's health, as the summary reads it (one Proxmox request). */
  async allHealth(): Promise<ServerHealthDto[]> {
    const [servers, settings] = await Promise.all([this.servers.all(), this.settings.current()]);
    let resources: Map<number, PveVmResource> | undefined;
    let pveError: string | undefined;
    try {
      const all = await this.proxmox.pve().clusterResources('vm');
      resources = new Map(
        all.filter((r): r is PveVmResource => r.type === 'qemu').map((r) => [r.vmid, r] as const),
      );
    } catch (error) {
      pveError = errorText(error);
    }
    const known = await this.probes.latest(
      servers.flatMap((server) => {
        const ip = server.ipAddresses[0];
        return ip === undefined ? [] : [{ name: server.name, target: `${ip}:${String(settings.tcp_port)}` }];
      }),
    );
    const healths = await mapBounded(servers, this.config.values.HEALTH_TCP_CONCURRENCY, async (server) => {
      const base = { tcp: 'skipped' as TcpCheck, agent: 'skipped' as AgentCheck, metrics: NO_METRICS };
      if (server.vmid === null || server.node === null)
        return this.reportWith(settings, server, { pve: 'no_vm', ...base }, null);
      if (!resources)
        return this.reportWith(settings, server, { pve: 'unreachable', pveError, ...base }, null);
      const vm = resources.get(server.vmid);
      if (!vm) return this.reportWith(settings, server, { pve: 'missing', ...base }, null);
      if (vm.status !== 'running')
        return this.reportWith(
          settings,
          server,
          { pve: vm.status === 'stopped' ? 'stopped' : 'unknown', ...base },
          vm.uptime,
        );
      return this.reportWith(
        settings,
        server,
        {
          pve: 'running',
          ...(await this.tcp(server, settings, known)),
          agent: 'not_checked',
          metrics: {
            cpu_percent: Math.round(vm.cpu * 1000) / 10,
            mem_percent: percentOf(vm.mem, vm.maxmem),
            disk_percent: vm.disk ? percentOf(vm.disk, vm.maxdisk) : null,
            netin_bps: null,
            netout_bps: null,
          },
        },
        vm.uptime,
      );
    });
    return healths;
  }

  /** The figures of the monitoring page's header, from the health summary. */
  async monitoringSummary(): Promise<MonitoringSummaryDto> {
    const [summary, activeAlerts] = await Promise.all([this.summary(), this.alerts.activeCount()]);
    return headerOf(summary, activeAlerts);
  }

  /**
   * What the monitoring page shows (`GET /api/monitoring/content`): the header figures, every server with its
   * health (one Proxmox request, as the summary), the open alerts (active and acknowledged, newest first, at most
   * CONTENT_ALERTS) and the Grafana dashboard.
   */
  async content(): Promise<MonitoringContentDto> {
    const [healths, open, activeAlerts, settings] = await Promise.all([
      this.allHealth(),
      this.alerts.open(CONTENT_ALERTS),
      this.alerts.activeCount(),
      this.settings.current(),
    ]);
    return {
      summary: headerOf(summarise(healths), activeAlerts),
      servers: healths,
      alerts: open.map(toAlertView),
      grafana: grafanaDashboard(settings),
    };
  }

  /**
   * A server's charts (docs/api.md §10): its Proxmox RRD series (CPU, memory and disk in percent, the rest in
   * bytes per second; `t` in seconds) and, when Prometheus is configured, its node_exporter series (PromQL
   * range queries over its node_exporter target). `source` asks for one of the two only; a Prometheus failure
   * is a 502 with Prometheus's words (so the SPA asks for each source apart, and each chart shows its error).
   */
  async metrics(key: string, timeframe: MetricTimeframe, source: MetricSource = 'all'): Promise<MetricsDto> {
    const [server, settings] = await Promise.all([this.find(key), this.settings.current()]);
    const ip = server.ipAddresses[0];
    const target = ip === undefined ? null : `${ip}:${String(settings.node_exporter_port)}`;
    const prometheus = settings.prometheus_url !== null;
    if (source === 'node_exporter') {
      if (!prometheus)
        throw new ConflictError(
          'Prometheus is not configured: set prometheus_url in the monitoring settings',
        );
      if (target === null)
        throw new ConflictError(`${server.name} has no address, so no node_exporter target`);
    }
    const [series, nodeExporter] = await Promise.all([
      source === 'node_exporter' ? Promise.resolve(null) : this.rrdSeries(server, timeframe),
      source === 'pve' || !prometheus || target === null
        ? Promise.resolve(null)
        : this.nodeExporterSeries(settings, target, timeframe),
    ]);
    return { series, node_exporter: nodeExporter, node_exporter_target: target };
  }

  private async rrdSeries(server: Server, timeframe: MetricTimeframe): Promise<MetricSeriesDto> {
    if (server.vmid === null || server.node === null)
      throw new NotFoundError(`A VM for server ${server.name}`);
    let points: PveRrdPoint[];
    try {
      points = await this.proxmox.pve().vmRrdData(server.node, server.vmid, { timeframe, cf: 'AVERAGE' });
    } catch (error) {
      if (isVmGone(error)) throw new NotFoundError(`The VM of server ${server.name}`);
      throw error;
    }
    const series = (value: (p: PveRrdPoint) => number | null): [number, number][] =>
      points.flatMap((p) => {
        const v = value(p);
        return v === null ? [] : [[p.time, v] as [number, number]];
      });
    const raw = (field: string) => (p: PveRrdPoint) => {
      const v = p[field];
      return v === undefined ? null : Math.round(v * 100) / 100;
    };
    return {
      cpu: series((p) => (p.cpu === undefined ? null : Math.round(p.cpu * 10000) / 100)),
      mem: series((p) => percentOf(p.mem, p.maxmem)),
      disk: series((p) =>
        p.disk === undefined || p.maxdisk === undefined ? null : percentOf(p.disk, p.maxdisk),
      ),
      netin: series(raw('netin')),
      netout: series(raw('netout')),
      diskread: series(raw('diskread')),
      diskwrite: series(raw('diskwrite')),
    };
  }

  /** The node_exporter series, one range query each, all at once; any failure is a 502 PROMETHEUS_ERROR. */
  private async nodeExporterSeries(
    settings: MonitoringSettingsValues,
    target: string,
    timeframe: MetricTimeframe,
  ): Promise<NodeExporterSeriesDto> {
    const { seconds, step } = PROMETHEUS_RANGES[timeframe];
    const end = Math.floor(Date.now() / 1000);
    const range = { start: end - seconds, end, step };
    const endpoint = prometheusEndpoint(settings);
    const queries = nodeExporterQueries(target, step);
    try {
      const results = await Promise.all(
        NODE_EXPORTER_SERIES.map(async (name) => {
          const found = await rangeQuery(endpoint, queries[name], range);
          const points = (found[0]?.values ?? []).flatMap(([t, v]) =>
            Number.isFinite(v) ? [[t, Math.round(v * 100) / 100] as [number, number]] : [],
          );
          return [name, points] as const;
        }),
      );
      return Object.fromEntries(results) as unknown as NodeExporterSeriesDto;
    } catch (error) {
      throw prometheusFailure(error);
    }
  }

  /**
   * Prometheus HTTP service discovery: a target per running server with an address (its first one), from the
   * inventory alone (no Proxmox request).
   */
  async prometheusTargets(): Promise<PrometheusTargetGroup[]> {
    const port = (await this.settings.current()).node_exporter_port;
    return (await this.servers.all())
      .filter((server) => server.status === 'running' && server.ipAddresses.length > 0)
      .map((server) => ({
        targets: [`${server.ipAddresses[0] ?? ''}:${String(port)}`],
        labels: {
          name: server.name,
          node: server.node ?? '',
          role: server.role ?? '',
          firewall_group: server.firewallGroup ?? '',
        },
      }));
  }

  private async tcp(
    server: Server,
    settings: MonitoringSettingsValues,
    known?: ReadonlyMap<string, { ok: boolean; error?: string }>,
  ): Promise<Pick<HealthObservation, 'tcp' | 'tcpError' | 'tcpTarget'>> {
    const ip = server.ipAddresses[0];
    if (ip === undefined) return { tcp: 'skipped' };
    const { tcp_port: port, tcp_timeout_ms: timeout } = settings;
    const target = `${ip}:${String(port)}`;
    // The worker's fresh result (the recurring TCP probe) when there is one; else a connect from here.
    const result =
      (known ?? (await this.probes.latest([{ name: server.name, target }]))).get(server.name) ??
      (await tcpCheck(ip, port, timeout));
    return result.ok
      ? { tcp: 'ok', tcpTarget: target }
      : {
          tcp: 'failed',
          tcpTarget: target,
          ...(result.error !== undefined ? { tcpError: result.error } : {}),
        };
  }

  private reportWith(
    settings: MonitoringSettingsValues,
    server: Server,
    observation: HealthObservation,
    uptime: number | null,
  ): ServerHealthDto {
    return this.report(server, observation, uptime, settings);
  }

  private report(
    server: Server,
    observation: HealthObservation,
    uptime: number | null,
    settings: MonitoringSettingsValues,
  ): ServerHealthDto {
    const { status, issues } = classify(observation, thresholdsOf(settings));
    return {
      server_ip: server.ipAddresses[0] ?? null,
      name: server.name,
      status,
      checks: { pve: observation.pve, tcp: observation.tcp, agent: observation.agent },
      metrics: observation.metrics,
      issues,
      uptime_s: uptime,
      checked_at: new Date().toISOString(),
    };
  }
}

/** Filesystems that hold no data of the guest's: their use says nothing of its disks. */
const PSEUDO_FILESYSTEMS = new Set(['tmpfs', 'devtmpfs', 'squashfs', 'overlay', 'ramfs', 'iso9660', 'udf']);

/**
 * The guest agent's fullest real filesystem (`get-fsinfo`): the one a disk alert is about. Undefined when the
 * guest reports no sizes (older agents, some Windows guests).
 */
export function fullestFilesystem(
  filesystems: readonly PveAgentFilesystem[],
): { mountpoint: string; percent: number } | undefined {
  let fullest: { mountpoint: string; percent: number } | undefined;
  for (const fs of filesystems) {
    if (PSEUDO_FILESYSTEMS.has(fs.type)) continue;
    const percent = percentOf(fs['used-bytes'], fs['total-bytes']);
    if (percent !== null && (fullest === undefined || percent > fullest.percent))
      fullest = { mountpoint: fs.mountpoint, percent };
  }
  return fullest;
}

/** The last RRD point that has figures (the newest may still be empty). */
function lastPoint(points: readonly PveRrdPoint[]): PveRrdPoint | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const point = points[i];
    if (point?.netin !== undefined) return point;
  }
  return undefined;
}

/** At most this many open alerts in the monitoring page's content (the alert list pages through all). */
export const CONTENT_ALERTS = 200;

function summarise(healths: ServerHealthDto[]): HealthSummaryDto {
  const count = (status: string) => healths.filter((h) => h.status === status).length;
  return {
    total: healths.length,
    healthy: count('healthy'),
    warning: count('warning'),
    critical: count('critical'),
    unknown: count('unknown'),
    problematic: healths.filter((h) => h.status !== 'healthy'),
  };
}

function headerOf(summary: HealthSummaryDto, activeAlerts: number): MonitoringSummaryDto {
  return {
    total_servers: summary.total,
    healthy: summary.healthy,
    warning: summary.warning,
    critical: summary.critical,
    unknown: summary.unknown,
    active_alerts: activeAlerts,
    last_update: new Date().toISOString(),
  };
}

/** Where and how to ask Prometheus, from the settings in force. */
export function prometheusEndpoint(settings: MonitoringSettingsValues): PrometheusEndpoint {
  return {
    url: settings.prometheus_url ?? '',
    username: settings.prometheus_username,
    password: settings.prometheus_password,
    bearerToken: settings.prometheus_bearer_token,
    timeoutMs: settings.prometheus_timeout_ms,
  };
}

/** A Prometheus failure as the API answers it: 502 PROMETHEUS_ERROR with Prometheus's own words. */
export function prometheusFailure(error: unknown): unknown {
  if (!(error instanceof PrometheusQueryError)) return error;
  return new AppError('PROMETHEUS_ERROR', error.message, {
    prometheus: { status: error.status, error_type: error.errorType },
  });
}
