import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import { Page } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { AlertDto, AlertListQueryDto, ClearAlertsDto, ClearAlertsResultDto } from './alerts.dto';
import { AlertsService, toAlertView } from './alerts.service';

/** An alert id from the path: a positive integer, else no such alert (404). */
function alertId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError(`Alert ${raw}`);
  return id;
}

/** Alerts raised by the checker (docs/api.md §10). */
@ApiTags('monitoring')
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Alerts, newest first; filter by status' })
  @ApiListEnvelope(AlertDto)
  async list(@Query() query: AlertListQueryDto): Promise<Page<AlertDto>> {
    const { items, total } = await this.alerts.list(query.status, {
      offset: (query.page - 1) * query.per_page,
      limit: query.per_page,
    });
    return Page.of(items.map(toAlertView), total, query.page, query.per_page);
  }

  @Post(':alert_id/acknowledge')
  @HttpCode(200)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary: 'Acknowledges an active alert (it stays until its condition clears); a resolved one: 409',
  })
  @ApiEnvelope(AlertDto)
  async acknowledge(
    @Param('alert_id') raw: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AlertDto> {
    return toAlertView(await this.alerts.acknowledge(alertId(raw), principal));
  }

  @Post('clear')
  @HttpCode(200)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Removes the given acknowledged or resolved alerts, or without ids all of them; active ones stay',
  })
  @ApiEnvelope(ClearAlertsResultDto)
  async clear(@Body() body: ClearAlertsDto): Promise<ClearAlertsResultDto> {
    const ids = await this.alerts.clear(body.ids);
    return { ids, cleared: ids.length };
  }
}
