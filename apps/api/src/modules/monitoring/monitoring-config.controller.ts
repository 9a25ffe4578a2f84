import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { EventsService } from '../../platform/events/events.service';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { ConfigPageDto, MonitoringConfigDto, UpdateMonitoringConfigDto } from './monitoring-config.dto';
import { publicView, SETTING_FIELDS } from './monitoring-settings';
import { MonitoringSettingsService } from './monitoring-settings.service';

/** The monitoring settings (docs/api.md §10): stored, validated, effective at once; secrets write-only. */
@ApiTags('monitoring')
@Controller('api/monitoring')
export class MonitoringConfigController {
  constructor(
    private readonly settings: MonitoringSettingsService,
    private readonly events: EventsService,
  ) {}

  @Get('config')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The monitoring settings in force; secrets only as {set: true|false}' })
  @ApiEnvelope(MonitoringConfigDto)
  async get(): Promise<MonitoringConfigDto> {
    return publicView(await this.settings.current()) as unknown as MonitoringConfigDto;
  }

  @Post('config')
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary:
      'Changes some monitoring settings (the others stay), validated with every problem named by field; effective at once in every process. null: back to the environment’s value; "": none',
  })
  @ApiEnvelope(MonitoringConfigDto)
  async update(
    @Body() body: UpdateMonitoringConfigDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<MonitoringConfigDto> {
    const change = Object.fromEntries(Object.entries(body));
    const values = await this.settings.update(change, principal.user.username);
    // Every open settings page, chart and monitoring view reads them again (the keys only, never a value).
    await this.events.publish(
      'settings',
      {
        scope: 'monitoring',
        keys: Object.keys(change)
          .filter((key) => change[key] !== undefined)
          .sort(),
      },
      { userId: principal.user.id, broadcast: true },
    );
    return publicView(values) as unknown as MonitoringConfigDto;
  }

  @Get('config-page')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'The settings with their descriptions, limits and environment values, for the settings form',
  })
  @ApiEnvelope(ConfigPageDto)
  async page(): Promise<ConfigPageDto> {
    const [current, changed] = await Promise.all([this.settings.current(), this.settings.storedKeys()]);
    const view = publicView(current);
    const defaults = publicView(this.settings.defaults());
    return {
      fields: SETTING_FIELDS.map((field) => ({
        key: field.key,
        group: field.group,
        type: field.type,
        description: field.description,
        env: field.env,
        ...(field.min !== undefined ? { min: field.min } : {}),
        ...(field.max !== undefined ? { max: field.max } : {}),
        ...(field.integer ? { integer: true } : {}),
        ...(field.unit !== undefined ? { unit: field.unit } : {}),
        ...(field.pattern ? { pattern: field.pattern.message } : {}),
        nullable: field.nullable,
        value: view[field.key] ?? null,
        default: defaults[field.key] ?? null,
        changed: changed.has(field.key),
      })),
    };
  }
}
