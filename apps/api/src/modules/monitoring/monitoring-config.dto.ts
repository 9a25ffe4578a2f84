import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { SETTING_FIELDS, type SettingField } from './monitoring-settings';

export class SecretStateDto {
  @ApiProperty({ description: 'Whether a value is set; the value itself is never returned' }) set!: boolean;
}

function schemaOf(field: SettingField): {
  type: 'integer' | 'number' | 'string';
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
} {
  if (field.type === 'number')
    return {
      type: field.integer ? 'integer' : 'number',
      ...(field.min !== undefined ? { minimum: field.min } : {}),
      ...(field.max !== undefined ? { maximum: field.max } : {}),
    };
  return { type: 'string', ...(field.nullable ? { nullable: true } : {}) };
}

/** The settings in force (`GET /api/monitoring/config`): each secret only as `{set}`. */
export class MonitoringConfigDto {
  cpu_warning_percent!: number;
  cpu_critical_percent!: number;
  mem_warning_percent!: number;
  mem_critical_percent!: number;
  disk_warning_percent!: number;
  disk_critical_percent!: number;
  alert_for_s!: number;
  tcp_port!: number;
  tcp_timeout_ms!: number;
  node_exporter_port!: number;
  prometheus_url!: string | null;
  prometheus_username!: string | null;
  prometheus_password!: SecretStateDto;
  prometheus_bearer_token!: SecretStateDto;
  prometheus_timeout_ms!: number;
  grafana_url!: string | null;
  grafana_dashboard_uid!: string;
  grafana_org_id!: number;
  grafana_api_key!: SecretStateDto;
}

/**
 * A partial change (`POST /api/monitoring/config`): only the settings given change. `null` takes a setting back
 * to its environment value; `""` makes a URL, the Prometheus user or a secret none. Checked by
 * monitoring-settings.ts's applyChange, which names the field of every problem.
 */
export class UpdateMonitoringConfigDto {
  cpu_warning_percent?: number | null;
  cpu_critical_percent?: number | null;
  mem_warning_percent?: number | null;
  mem_critical_percent?: number | null;
  disk_warning_percent?: number | null;
  disk_critical_percent?: number | null;
  alert_for_s?: number | null;
  tcp_port?: number | null;
  tcp_timeout_ms?: number | null;
  node_exporter_port?: number | null;
  prometheus_url?: string | null;
  prometheus_username?: string | null;
  prometheus_password?: string | null;
  prometheus_bearer_token?: string | null;
  prometheus_timeout_ms?: number | null;
  grafana_url?: string | null;
  grafana_dashboard_uid?: string | null;
  grafana_org_id?: number | null;
  grafana_api_key?: string | null;
}

// One source of truth for both shapes: the catalogue in monitoring-settings.ts.
for (const field of SETTING_FIELDS) {
  if (field.type === 'secret')
    ApiProperty({ type: SecretStateDto, description: field.description })(
      MonitoringConfigDto.prototype,
      field.key,
    );
  else
    ApiProperty({ ...schemaOf(field), description: field.description })(
      MonitoringConfigDto.prototype,
      field.key,
    );
  ApiPropertyOptional({
    ...(field.type === 'number' ? schemaOf(field) : { type: 'string' }),
    nullable: true,
    description: `${field.description}. null: back to ${field.env}`,
  })(UpdateMonitoringConfigDto.prototype, field.key);
  IsOptional()(UpdateMonitoringConfigDto.prototype, field.key);
}

export class ConfigFieldDto {
  @ApiProperty({ example: 'cpu_warning_percent' }) key!: string;
  @ApiProperty({ enum: ['thresholds', 'checks', 'prometheus', 'grafana'] }) group!: string;
  @ApiProperty({ enum: ['number', 'url', 'text', 'secret'] }) type!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'The environment variable that gives its initial value' }) env!: string;
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional() integer?: boolean;
  @ApiPropertyOptional({ example: '%' }) unit?: string;
  @ApiPropertyOptional({ description: 'For text: what the value must look like' }) pattern?: string;
  @ApiProperty({ description: 'Whether "" (none) is allowed' }) nullable!: boolean;
  @ApiProperty({
    oneOf: [{ type: 'number' }, { type: 'string' }, { $ref: '#/components/schemas/SecretStateDto' }],
    nullable: true,
    description: 'The value in force; a secret as {set}',
  })
  value!: number | string | null | SecretStateDto;
  @ApiProperty({
    oneOf: [{ type: 'number' }, { type: 'string' }, { $ref: '#/components/schemas/SecretStateDto' }],
    nullable: true,
    description: 'The environment’s value (a secret as {set})',
  })
  default!: number | string | null | SecretStateDto;
  @ApiProperty({ description: 'Whether it was changed from the environment’s value' }) changed!: boolean;
}

export class ConfigPageDto {
  @ApiProperty({ type: [ConfigFieldDto] }) fields!: ConfigFieldDto[];
}
