import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { NOTIFICATION_SEVERITIES, type NotificationSeverity } from './notification.entity';
import { toNotificationEvent, type SeenNotification } from './notifications.service';

/** A notification as its reader sees it (docs/api.md §9). */
export class NotificationDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'task.failed' }) type!: string;
  @ApiProperty({ enum: NOTIFICATION_SEVERITIES }) severity!: NotificationSeverity;
  @ApiProperty() title!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: Object, nullable: true, additionalProperties: true }) details!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) task_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) server!: string | null;
  @ApiProperty({ description: 'Read by the caller (a broadcast read by one user stays unread for others)' })
  read!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(notification: SeenNotification): NotificationDto {
    return toNotificationEvent(notification);
  }
}

const booleanQuery = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class NotificationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'true: unread only; false: read only' })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({ enum: NOTIFICATION_SEVERITIES })
  @IsOptional()
  @IsIn(NOTIFICATION_SEVERITIES)
  severity?: NotificationSeverity;

  @ApiPropertyOptional({ example: 'task.failed' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, { message: 'type must be a notification type such as task.failed' })
  type?: string;
}

export class LatestNotificationsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 10;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Only notifications newer than this id' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  since_id?: number;
}

export class UnreadCountDto {
  @ApiProperty() count!: number;
}

export class ClearAllResultDto {
  @ApiProperty({ description: 'How many notifications were hidden for the caller' }) hidden!: number;
}
