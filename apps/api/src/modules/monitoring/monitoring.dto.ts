import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AlertDto } from './alerts.dto';
import { GrafanaDashboardDto } from './grafana.dto';
import { HEALTH_STATUSES, type HealthIssue, type HealthMetrics, type HealthStatus } from './health';

export const METRIC_TIMEFRAME_VALUES = ['hour', 'day', 'week', 'month'] as const;
export const METRIC_SOURCE_VALUES = ['all', 'pve', 'node_exporter'] as const;

export class HealthChecksDto {
  @ApiProperty({
    description:
      'Proxmox: running, stopped, paused, missing (no such VM), no_vm (none made yet), unreachable, unknown',
    example: 'running',
  })
  pve!: string;

  @ApiProperty({ description: 'TCP connect to the SSH port: ok, failed, skipped', example: 'ok' })
  tcp!: string;

  @ApiProperty({
    description: 'Guest agent: ok, down, disabled, skipped, not_checked (the summary does not ask it)',
    example: 'ok',
  })
  agent!: string;
}

export class HealthMetricsDto implements HealthMetrics {
  @ApiProperty({ type: Number, nullable: true }) cpu_percent!: number | null;
  @ApiProperty({ type: Number, nullable: true }) mem_percent!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Only when Proxmox reports the VM’s disk use' })
  disk_percent!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'From the last RRD point (not in the summary)' })
  netin_bps!: number | null;
  @ApiProperty({ type: Number, nullable: true }) netout_bps!: number | null;
}

export class HealthIssueDto implements HealthIssue {
  @ApiProperty({ example: 'server_down' }) type!: string;
  @ApiProperty({ enum: ['warning', 'critical', 'unknown'] }) level!: HealthIssue['level'];
  @ApiProperty() message!: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }], nullable: true }) value!:
    number | string | null;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
}

export class ServerHealthDto {
  @ApiProperty({ type: String, nullable: true, description: 'The server’s first address' })
  server_ip!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: HEALTH_STATUSES }) status!: HealthStatus;
  @ApiProperty({ type: HealthChecksDto }) checks!: HealthChecksDto;
  @ApiProperty({ type: HealthMetricsDto }) metrics!: HealthMetricsDto;
  @ApiProperty({ type: [HealthIssueDto], description: 'Why the status is not healthy' })
  issues!: HealthIssueDto[];
  @ApiProperty({ type: Number, nullable: true }) uptime_s!: number | null;
  @ApiProperty({ format: 'date-time' }) checked_at!: string;
}

export class HealthSummaryDto {
  @ApiProperty() total!: number;
  @ApiProperty() healthy!: number;
  @ApiProperty() warning!: number;
  @ApiProperty() critical!: number;
  @ApiProperty() unknown!: number;
  @ApiProperty({ type: [ServerHealthDto], description: 'Every server that is not healthy' })
  problematic!: ServerHealthDto[];
}

export class MonitoringSummaryDto {
  @ApiProperty() total_servers!: number;
  @ApiProperty() healthy!: number;
  @ApiProperty() warning!: number;
  @ApiProperty() critical!: number;
  @ApiProperty() unknown!: number;
  @ApiProperty({ description: 'Alerts active (raised, not acknowledged)' }) active_alerts!: number;
  @ApiProperty({ format: 'date-time' }) last_update!: string;
}

const POINTS = {
  type: 'array',
  items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
  description: '[[t (Unix seconds), value], ...]',
} as const;

export class MetricSeriesDto {
  @ApiProperty({ ...POINTS, description: 'CPU use in percent: [[t, v], ...]' }) cpu!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Memory use in percent' }) mem!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Disk use in percent (when Proxmox reports it)' })
  disk!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second' }) netin!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second' }) netout!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second' }) diskread!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second' }) diskwrite!: [number, number][];
}

export class NodeExporterSeriesDto {
  @ApiProperty({ ...POINTS, description: 'CPU use in percent (all CPUs, from node_cpu_seconds_total)' })
  cpu!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Memory use in percent (1 - MemAvailable / MemTotal)' })
  mem!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Disk use in percent, over the real filesystems' })
  disk!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Load average over 1 minute' }) load1!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second received, every interface but lo' })
  netin!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second sent' }) netout!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second read from disks' }) diskread!: [number, number][];
  @ApiProperty({ ...POINTS, description: 'Bytes per second written to disks' }) diskwrite!: [
    number,
    number,
  ][];
}

export class MetricsDto {
  @ApiProperty({
    type: MetricSeriesDto,
    nullable: true,
    description: 'Proxmox RRD series; null when source=node_exporter',
  })
  series!: MetricSeriesDto | null;
  @ApiProperty({
    type: NodeExporterSeriesDto,
    nullable: true,
    description:
      'node_exporter series from Prometheus; null when Prometheus is not configured, the server has no address, or source=pve',
  })
  node_exporter!: NodeExporterSeriesDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The server’s node_exporter target (<first address>:<node_exporter_port>), as Prometheus names it',
  })
  node_exporter_target!: string | null;
}

export class MetricsQueryDto {
  @ApiPropertyOptional({ enum: METRIC_TIMEFRAME_VALUES, default: 'hour' })
  @IsOptional()
  @IsIn(METRIC_TIMEFRAME_VALUES)
  timeframe: (typeof METRIC_TIMEFRAME_VALUES)[number] = 'hour';

  @ApiPropertyOptional({
    enum: METRIC_SOURCE_VALUES,
    default: 'all',
    description:
      'all: RRD and (when configured) node_exporter series; pve: RRD only; node_exporter: Prometheus only (409 when not configured)',
  })
  @IsOptional()
  @IsIn(METRIC_SOURCE_VALUES)
  source: (typeof METRIC_SOURCE_VALUES)[number] = 'all';
}

/** One group of Prometheus HTTP service discovery. */
export interface PrometheusTargetGroup {
  targets: string[];
  labels: { name: string; node: string; role: string; firewall_group: string };
}

export class PrometheusTargetLabelsDto {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Empty when unknown' }) node!: string;
  @ApiProperty({ description: 'Empty when none' }) role!: string;
  @ApiProperty({ description: 'Empty when none' }) firewall_group!: string;
}

export class PrometheusTargetGroupDto implements PrometheusTargetGroup {
  @ApiProperty({ type: [String], example: ['10.0.0.21:9100'] }) targets!: string[];
  @ApiProperty({ type: PrometheusTargetLabelsDto }) labels!: PrometheusTargetLabelsDto;
}

export class MonitoringContentDto {
  @ApiProperty({ type: MonitoringSummaryDto }) summary!: MonitoringSummaryDto;
  @ApiProperty({
    type: [ServerHealthDto],
    description: 'Every server’s health, from one read of the cluster (as the health summary)',
  })
  servers!: ServerHealthDto[];
  @ApiProperty({
    type: [AlertDto],
    description: 'Open alerts (active and acknowledged), newest first, at most 200',
  })
  alerts!: AlertDto[];
  @ApiProperty({ type: GrafanaDashboardDto }) grafana!: GrafanaDashboardDto;
}
