import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SERVER_NAME } from '../servers';

/** A vzdump archive's volume id, as Proxmox names it: `<storage>:backup/vzdump-qemu-<vmid>-<time>.<ext>`. */
export const BACKUP_VOLID =
  /^[A-Za-z][A-Za-z0-9\-_.]{0,99}:backup\/vzdump-(qemu|lxc)-\d{1,9}-[A-Za-z0-9_\-.]{1,200}$/;
export const NODE_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const BACKUP_MODES = ['snapshot', 'suspend', 'stop'] as const;
/** `none` (the contract's word) and `0` (Proxmox's) both mean no compression. */
export const BACKUP_COMPRESSIONS = ['zstd', 'lzo', 'gzip', 'none', '0'] as const;

export class RunBackupDto {
  @ApiPropertyOptional({ description: 'A storage with `backup` content; default: the first shared one' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9\-_.]{0,99}$/, { message: 'storage must be a storage id' })
  storage?: string;

  @ApiPropertyOptional({ enum: BACKUP_MODES, default: 'snapshot' })
  @IsOptional()
  @IsIn(BACKUP_MODES)
  mode?: (typeof BACKUP_MODES)[number];

  @ApiPropertyOptional({ enum: BACKUP_COMPRESSIONS, default: 'zstd' })
  @IsOptional()
  @IsIn(BACKUP_COMPRESSIONS)
  compress?: (typeof BACKUP_COMPRESSIONS)[number];

  @ApiPropertyOptional({ maxLength: 1024, description: 'Notes kept with the archive' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  notes?: string;

  @ApiPropertyOptional({ description: 'Protect the archive from deletion and pruning' })
  @IsOptional()
  @IsBoolean()
  protected?: boolean;
}

export class BackupRefDto {
  @ApiProperty({ example: 'pve1' })
  @IsString()
  @Matches(NODE_NAME, { message: 'node must be a node name' })
  node!: string;

  @ApiProperty({ example: 'nfs-backup:backup/vzdump-qemu-100-2026_01_01-00_00_00.vma.zst' })
  @IsString()
  @Matches(BACKUP_VOLID, { message: 'volid must be a backup volume id (<storage>:backup/vzdump-…)' })
  volid!: string;
}

export class ProtectBackupDto extends BackupRefDto {
  @ApiProperty()
  @IsBoolean()
  protected!: boolean;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  notes?: string;
}

export class RestoreBackupDto extends BackupRefDto {
  @ApiPropertyOptional({
    description:
      'Into the original VM: its VMID (default: the VM the backup is of). Leave out with `name` (a new VM gets a VMID from VMID_RANGE)',
  })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(999_999_999)
  vmid?: number;

  @ApiPropertyOptional({
    description:
      'Into a new VM: the new server name (addresses allocated as for a creation, cloud-init updated)',
  })
  @IsOptional()
  @IsString()
  @Matches(SERVER_NAME, { message: 'name must be a DNS label (a-z, 0-9, -; at most 63)' })
  name?: string;

  @ApiPropertyOptional({ description: 'Target storage of every disk; default: the ones in the backup' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9\-_.]{0,99}$/, { message: 'storage must be a storage id' })
  storage?: string;

  @ApiPropertyOptional({
    description: "Into the original VM: required true, confirming that the VM's current disks are replaced",
  })
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;
}

export class BackupDto {
  @ApiProperty() volid!: string;
  @ApiProperty({ description: 'The node it was read from (for shared storage, one node reading it)' })
  node!: string;
  @ApiProperty() storage!: string;
  @ApiProperty({ type: Number, nullable: true }) vmid!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'null: no server of Proxdeck has this VMID' })
  server_name!: string | null;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ example: 'vma.zst' }) format!: string;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601' }) ctime!: string | null;
  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty() protected!: boolean;
  @ApiProperty() shared!: boolean;
}

export class NodeStatsDto {
  @ApiProperty() count!: number;
  @ApiProperty() total_bytes!: number;
}

export class BackupOverviewDto {
  @ApiProperty({ type: [BackupDto] }) backups!: BackupDto[];
  @ApiProperty({
    type: 'object',
    description: 'Per node: the backups read on it (a shared storage counts on the node it was read from)',
    additionalProperties: {
      type: 'object',
      properties: { count: { type: 'integer' }, total_bytes: { type: 'integer' } },
      required: ['count', 'total_bytes'],
    },
  })
  node_stats!: Record<string, NodeStatsDto>;
  @ApiProperty() total_count!: number;
  @ApiProperty() total_bytes!: number;
}

export class BackupStatusDto {
  @ApiProperty() server_name!: string;
  @ApiProperty({
    description: 'A backup task of Proxdeck runs, or the VM is locked for a backup (lock: backup)',
  })
  is_backing_up!: boolean;
  @ApiProperty({ type: String, nullable: true }) task_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) status!: string | null;
  @ApiProperty() progress!: number;
  @ApiProperty({ type: String, nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_backup_at!: string | null;
}

export class DeletedBackupJobDto {
  @ApiProperty() id!: string;
}

export class DeletedBackupDto {
  @ApiProperty() volid!: string;
  @ApiProperty() node!: string;
}
