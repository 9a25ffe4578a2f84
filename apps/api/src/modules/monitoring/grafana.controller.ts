import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { ConflictError, ValidationFailedError } from '../../platform/errors/app-error';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { grafanaDashboard, grafanaEmbedUrl } from './grafana';
import { GrafanaDashboardDto, GrafanaEmbedDto, GrafanaEmbedQueryDto } from './grafana.dto';
import { MonitoringSettingsService } from './monitoring-settings.service';
import { MonitoringService } from './monitoring.service';

/** The Grafana dashboard and its embed (docs/api.md §10), from the monitoring settings. */
@ApiTags('monitoring')
@Controller('api/grafana-dashboard')
export class GrafanaController {
  constructor(
    private readonly settings: MonitoringSettingsService,
    private readonly monitoring: MonitoringService,
  ) {}

  @Get()
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'The Grafana node_exporter dashboard from the settings (enabled when grafana_url is set)',
  })
  @ApiEnvelope(GrafanaDashboardDto)
  async dashboard(): Promise<GrafanaDashboardDto> {
    return grafanaDashboard(await this.settings.current());
  }

  @Get('embed')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'The dashboard’s embed URL: kiosk mode, the time range and theme, filtered to the server’s node_exporter target (<address>:<node_exporter_port>) or all; 409 when Grafana is not configured',
  })
  @ApiEnvelope(GrafanaEmbedDto)
  async embed(@Query() query: GrafanaEmbedQueryDto): Promise<GrafanaEmbedDto> {
    const settings = await this.settings.current();
    let target: string | null = null;
    if (query.server !== 'all') {
      const server = await this.monitoring.find(query.server);
      const ip = server.ipAddresses[0];
      if (ip === undefined)
        throw new ValidationFailedError({
          server: `${server.name} has no address, so no node_exporter target`,
        });
      target = `${ip}:${String(settings.node_exporter_port)}`;
    }
    if (/^\d+$/.test(query.from) && /^\d+$/.test(query.to) && Number(query.from) >= Number(query.to))
      throw new ValidationFailedError({ to: 'must be after from' });
    const url = grafanaEmbedUrl(settings, { target, from: query.from, to: query.to, theme: query.theme });
    if (url === null)
      throw new ConflictError('Grafana is not configured: set grafana_url in the monitoring settings');
    return { embed_url: url };
  }
}
