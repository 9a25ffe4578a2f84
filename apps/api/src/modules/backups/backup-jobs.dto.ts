import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BACKUP_COMPRESSIONS, BACKUP_MODES } from './backups.dto';

/** Proxmox's job ids (`pve-configid`); Proxdeck makes `backup-<8hex>-<4hex>` as Proxmox's GUI does. */
export const BACKUP_JOB_ID = /^[A-Za-z][A-Za-z0-9_-]{1,49}$/;

export class BackupJobSelectionDto {
  @ApiPropertyOptional({ type: [Number], description: 'These VMs' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(100, { each: true })
  @Max(999_999_999, { each: true })
  vmids?: number[];

  @ApiPropertyOptional({
    description:
      "The servers carrying this Proxmox tag (Proxmox jobs cannot select by tag: the job holds the tag's VMs, refreshed when the job is saved or run from Proxdeck)",
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_][a-z0-9_+.-]{0,63}$/i, { message: 'tag must be a Proxmox tag' })
  tag?: string;

  @ApiPropertyOptional({ description: 'The members of this Proxmox pool' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9\-_]+(\/[A-Za-z0-9\-_]+){0,2}$/, { message: 'pool must be a pool id' })
  pool?: string;
}

export class BackupJobPruneDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  keep_last?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  keep_daily?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  keep_weekly?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  keep_monthly?: number;
}

export class BackupJobBodyDto {
  @ApiProperty({
    example: 'mon..fri 22:30',
    description:
      "Proxmox's calendar-event format (`daily`, `sat 02:00`, `mon..fri 22:30`, `*-*-1 03:00`, `*/15`); times are the nodes' wall clock, in their time zone",
  })
  @IsString()
  @MaxLength(128)
  schedule!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty({ type: BackupJobSelectionDto, description: 'Exactly one of vmids, tag, pool' })
  @IsDefined({ message: 'selection is required: one of vmids, tag, pool' })
  @ValidateNested()
  @Type(() => BackupJobSelectionDto)
  selection!: BackupJobSelectionDto;

  @ApiProperty({ description: 'A storage with `backup` content' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9\-_.]{0,99}$/, { message: 'storage must be a storage id' })
  storage!: string;

  @ApiPropertyOptional({ enum: BACKUP_MODES, default: 'snapshot' })
  @IsOptional()
  @IsIn(BACKUP_MODES)
  mode?: (typeof BACKUP_MODES)[number];

  @ApiPropertyOptional({ enum: BACKUP_COMPRESSIONS, default: 'zstd' })
  @IsOptional()
  @IsIn(BACKUP_COMPRESSIONS)
  compress?: (typeof BACKUP_COMPRESSIONS)[number];

  @ApiPropertyOptional({
    type: BackupJobPruneDto,
    description: "Retention (Proxmox's prune-backups); none: keep all",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => BackupJobPruneDto)
  prune?: BackupJobPruneDto;

  @ApiPropertyOptional({
    maxLength: 1024,
    description: 'Notes of each backup: {{guestname}}, {{vmid}}, {{node}}, {{cluster}} are replaced',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  notes_template?: string;
}

export class BackupJobLastRunDto {
  @ApiProperty({ description: 'ISO 8601' }) at!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status!: 'running' | 'completed' | 'failed';
  @ApiProperty({
    type: String,
    nullable: true,
    description: "Proxdeck's task of a run started from Proxdeck; null for a scheduled run",
  })
  task_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The vzdump task of a scheduled run' })
  upid!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Proxmox's exit status when it failed" })
  error!: string | null;
}

export class BackupJobDto {
  @ApiProperty() id!: string;
  @ApiProperty() schedule!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: BackupJobSelectionDto }) selection!: BackupJobSelectionDto;
  @ApiProperty({ type: [Number], description: 'The VMs the job backs up now (for a tag: as last saved)' })
  vmids!: number[];
  @ApiProperty({ type: String, nullable: true }) storage!: string | null;
  @ApiProperty() mode!: string;
  @ApiProperty() compress!: string;
  @ApiProperty({ type: BackupJobPruneDto }) prune!: BackupJobPruneDto;
  @ApiProperty({ type: String, nullable: true }) notes_template!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "Proxmox's next run (ISO 8601); null when disabled",
  })
  next_run!: string | null;
  @ApiProperty({ type: [String], description: 'The next five runs of the schedule (ISO 8601)' })
  next_runs!: string[];
  @ApiProperty({
    example: 'Asia/Seoul',
    description:
      "The nodes' time zone, whose wall clock the schedule's times are (UTC when it cannot be read)",
  })
  time_zone!: string;
  @ApiProperty({ type: BackupJobLastRunDto, nullable: true }) last_run!: BackupJobLastRunDto | null;
  @ApiProperty({
    description: 'A tag job whose VMs changed since it was saved (saving or running it refreshes them)',
  })
  selection_stale!: boolean;
}

export class SchedulePreviewQueryDto {
  @ApiProperty({ example: 'sat 02:00' })
  @IsString()
  @MaxLength(128)
  schedule!: string;
}

export class SchedulePreviewDto {
  @ApiProperty() schedule!: string;
  @ApiProperty({ type: [String], description: 'The next five runs (ISO 8601, UTC)' }) next_runs!: string[];
  @ApiProperty({
    example: 'Asia/Seoul',
    description: "The nodes' time zone, in which the schedule's times are",
  })
  time_zone!: string;
}

export class NotCoveredServerDto {
  @ApiProperty({ type: String, nullable: true, description: 'null: a VM Proxdeck does not manage' })
  server_name!: string | null;
  @ApiProperty() vmid!: number;
  @ApiProperty({ type: String, nullable: true }) vm_name!: string | null;
}
