import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AlertView } from '@proxdeck/contracts';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { ALERT_LEVELS, ALERT_STATUSES, type AlertLevel, type AlertStatus } from './alert.entity';

export class AlertDto implements AlertView {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'cpu_high:web-01' }) key!: string;
  @ApiProperty({
    description: 'cpu_high, memory_high, disk_high, server_down, pve_unreachable',
    example: 'cpu_high',
  })
  type!: string;
  @ApiProperty({ enum: ALERT_LEVELS }) level!: AlertLevel;
  @ApiProperty({ type: String, nullable: true, description: 'The server’s name; null for a cluster alert' })
  server!: string | null;
  @ApiProperty() message!: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }], nullable: true }) value!:
    number | string | null;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ enum: ALERT_STATUSES }) status!: AlertStatus;
  @ApiProperty({ format: 'date-time' }) raised_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledged_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Username' }) acknowledged_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolved_at!: string | null;
}

export class AlertListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;
}

export class ClearAlertsDto {
  @ApiPropertyOptional({
    type: [Number],
    description:
      'The alerts to remove (acknowledged or resolved ones; active ones stay). Without ids: every acknowledged and resolved alert',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  ids?: number[];
}

export class ClearAlertsResultDto {
  @ApiProperty({ type: [Number], description: 'The alerts removed' }) ids!: number[];
  @ApiProperty() cleared!: number;
}
