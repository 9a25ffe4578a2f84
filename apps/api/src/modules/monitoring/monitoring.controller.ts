import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../../platform/access/access.decorators';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import {
  HealthSummaryDto,
  MetricsDto,
  MetricsQueryDto,
  MonitoringContentDto,
  MonitoringSummaryDto,
  PrometheusTargetGroupDto,
  ServerHealthDto,
} from './monitoring.dto';
import { MonitoringService } from './monitoring.service';

/** Server health, metrics and Prometheus service discovery (docs/api.md §10, §15). */
@ApiTags('monitoring')
@Controller('api')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  /** Declared before `servers/:server_ip/...`; a static segment wins over `servers/:name` in any order. */
  @Get('servers/health-summary')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'Every server’s health from one read of the cluster (/cluster/resources), and a TCP connect per running server (HEALTH_TCP_CONCURRENCY at once); the guest agent is not asked and network rates are not given',
  })
  @ApiEnvelope(HealthSummaryDto)
  async healthSummary(): Promise<HealthSummaryDto> {
    return this.monitoring.summary();
  }

  @Get('servers/:server_ip/health')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'A server’s health (by one of its addresses or its name): Proxmox status, a TCP connect to its SSH port, the guest agent, and the last RRD point; every non-healthy state explained in issues',
  })
  @ApiEnvelope(ServerHealthDto)
  async health(@Param('server_ip') key: string): Promise<ServerHealthDto> {
    return this.monitoring.health(key);
  }

  @Get('servers/:server_ip/metrics')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'A server’s Proxmox RRD series (by address or name): cpu, mem and disk in percent, the rest in bytes/s; and its node_exporter series from Prometheus when configured (a Prometheus failure: 502 PROMETHEUS_ERROR with its words)',
  })
  @ApiEnvelope(MetricsDto)
  async metrics(@Param('server_ip') key: string, @Query() query: MetricsQueryDto): Promise<MetricsDto> {
    return this.monitoring.metrics(key, query.timeframe, query.source);
  }

  @Get('monitoring/summary')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Servers by health, and the number of active alerts' })
  @ApiEnvelope(MonitoringSummaryDto)
  async summary(): Promise<MonitoringSummaryDto> {
    return this.monitoring.monitoringSummary();
  }

  @Get('monitoring/content')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'What the monitoring page shows: the header figures, every server with its health (one read of the cluster), the open alerts and the Grafana dashboard',
  })
  @ApiEnvelope(MonitoringContentDto)
  async content(): Promise<MonitoringContentDto> {
    return this.monitoring.content();
  }

  /**
   * Not enveloped: Prometheus reads the array as it is. Any caller with view_all is served; Prometheus is meant
   * to use an API token narrowed to view_all (`authorization: Bearer <token>`, see the README).
   */
  @Get('monitoring/prometheus-targets')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'Prometheus HTTP service discovery (not enveloped): a node_exporter target per running server with an address; for Prometheus with an API token holding view_all',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: [PrometheusTargetGroupDto] })
  async prometheusTargets(@Res() reply: FastifyReply): Promise<void> {
    const groups = await this.monitoring.prometheusTargets();
    await reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(groups));
  }
}
