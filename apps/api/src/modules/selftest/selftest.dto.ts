import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { NOTIFICATION_SEVERITIES, type NotificationSeverity } from '../notifications';

export class SimpleTestDto {
  @ApiPropertyOptional({ description: 'Returned as result.echo', maxLength: 200, default: 'hello' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  echo?: string;

  @ApiPropertyOptional({ description: 'How long the job runs', minimum: 0, maximum: 60000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  duration_ms?: number;
}

export class ErrorTestDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  message?: string;
}

export class TestNotificationDto {
  @ApiPropertyOptional({ enum: NOTIFICATION_SEVERITIES, default: 'info' })
  @IsOptional()
  @IsIn(NOTIFICATION_SEVERITIES)
  severity?: NotificationSeverity;

  @ApiPropertyOptional({ maxLength: 200, default: 'Test notification' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;

  @ApiPropertyOptional({ description: 'To everyone with view_all instead of the caller', default: false })
  @IsOptional()
  @IsBoolean()
  broadcast?: boolean;
}

export class TestNotificationResultDto {
  @ApiProperty() id!: number;
  @ApiProperty() broadcast!: boolean;
}
