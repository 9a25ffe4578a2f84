import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { GRAFANA_THEMES, GRAFANA_TIME, type GrafanaDashboard } from './grafana';

export class GrafanaDashboardDto implements GrafanaDashboard {
  @ApiProperty({ description: 'Whether grafana_url is set' }) enabled!: boolean;
  @ApiProperty({ type: String, nullable: true }) base_url!: string | null;
  @ApiProperty({ example: 'proxdeck-node-exporter' }) dashboard_uid!: string;
  @ApiProperty({ type: String, nullable: true }) dashboard_url!: string | null;
  @ApiProperty() org_id!: number;
}

export class GrafanaEmbedDto {
  @ApiProperty({
    example:
      'https://grafana.example.com/d/proxdeck-node-exporter?orgId=1&from=now-1h&to=now&theme=light&var-instance=10.0.0.21%3A9100&kiosk',
  })
  embed_url!: string;
}

const TIME_MESSAGE = 'now, now-<n><unit> (s m h d w M y), optionally /<unit>, or Unix milliseconds';

export class GrafanaEmbedQueryDto {
  @ApiPropertyOptional({ type: String, description: 'A server’s name, or all', default: 'all' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  server = 'all';

  @ApiPropertyOptional({ type: String, default: 'now-1h', description: TIME_MESSAGE })
  @IsOptional()
  @Matches(GRAFANA_TIME, { message: TIME_MESSAGE })
  from = 'now-1h';

  @ApiPropertyOptional({ type: String, default: 'now', description: TIME_MESSAGE })
  @IsOptional()
  @Matches(GRAFANA_TIME, { message: TIME_MESSAGE })
  to = 'now';

  @ApiPropertyOptional({ enum: GRAFANA_THEMES, default: 'light' })
  @IsOptional()
  @IsIn(GRAFANA_THEMES)
  theme: (typeof GRAFANA_THEMES)[number] = 'light';
}
