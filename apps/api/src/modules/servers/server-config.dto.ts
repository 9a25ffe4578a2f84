import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SERVER_ACTIONS, type ServerAction } from '@proxdeck/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
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

/** Proxmox's `pve-tag` format (a tag of `tags`). */
export const PVE_TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

// ---- configuration -------------------------------------------------------------------------------------

export class CpuConfigDto {
  @ApiProperty({ minimum: 1, maximum: 128 }) cores!: number;
  @ApiProperty({ minimum: 1, maximum: 16 }) sockets!: number;
  @ApiProperty({ example: 'x86-64-v2-AES', description: 'Proxmox’s CPU type (cputype)' }) type!: string;
}

export class MemoryConfigDto {
  @ApiProperty({ description: 'MB' }) size_mb!: number;
  @ApiProperty({ description: 'Minimum memory with the balloon device, MB; 0 turns ballooning off' })
  balloon_mb!: number;
}

export class ConfigDiskDto {
  @ApiProperty({ example: 'scsi0' }) device!: string;
  @ApiProperty({ example: 'local-lvm' }) datastore!: string;
  @ApiProperty({ example: 'local-lvm:vm-100-disk-0' }) volume!: string;
  @ApiProperty() size_gb!: number;
  @ApiProperty({ description: 'The disk the VM boots from: it cannot be removed' }) boot!: boolean;
}

export class ConfigNicDto {
  @ApiProperty({ example: 'net0' }) device!: string;
  @ApiProperty({ example: 'virtio' }) model!: string;
  @ApiProperty({ type: String, nullable: true }) mac!: string | null;
  @ApiProperty({ example: 'vmbr0' }) bridge!: string;
  @ApiProperty({ type: Number, nullable: true }) vlan!: number | null;
  @ApiProperty() firewall!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'From cloud-init’s ipconfigN' })
  ip_address!: string | null;
  @ApiProperty({ type: Number, nullable: true }) prefix!: number | null;
  @ApiProperty({ type: String, nullable: true }) gateway!: string | null;
}

export class CloudInitConfigDto {
  @ApiProperty({ type: String, nullable: true }) user!: string | null;
  @ApiProperty({ type: String, nullable: true }) nameserver!: string | null;
  @ApiProperty({ type: String, nullable: true }) searchdomain!: string | null;
}

export class PendingChangeDto {
  @ApiProperty({ type: String, nullable: true, description: 'What the VM runs with now' })
  current!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What it will run with after a restart' })
  pending!: string | null;
  @ApiProperty({ description: 'The option is removed at the restart' }) delete!: boolean;
}

/** A server's configuration as Proxmox has it (docs/api.md §3.2), with what waits for a restart. */
export class ServerConfigDto {
  @ApiProperty() name!: string;
  @ApiProperty() vmid!: number;
  @ApiProperty() node!: string;
  @ApiProperty({ type: CpuConfigDto }) cpu!: CpuConfigDto;
  @ApiProperty({ type: MemoryConfigDto }) memory!: MemoryConfigDto;
  @ApiProperty({ type: [ConfigDiskDto] }) disks!: ConfigDiskDto[];
  @ApiProperty({ type: [ConfigNicDto] }) network!: ConfigNicDto[];
  @ApiProperty({ type: CloudInitConfigDto }) cloud_init!: CloudInitConfigDto;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ description: 'Proxmox refuses to destroy the VM while set' }) protection!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Proxmox’s lock (backup, clone, ...)' })
  lock!: string | null;
  @ApiProperty({ description: 'Send it back with a change: a change since is refused (409)' })
  digest!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/PendingChangeDto' },
    description: 'Options changed that apply at the next restart (cores, memory, ...), by Proxmox’s key',
  })
  pending!: Record<string, PendingChangeDto>;
  @ApiProperty({ description: 'Some change waits for a restart: reboot the server to apply it' })
  restart_required!: boolean;
}

export class CpuUpdateDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 128 })
  @IsOptional()
  @IsInt({ message: 'must be 1..128 cores' })
  @Min(1, { message: 'must be 1..128 cores' })
  @Max(128, { message: 'must be 1..128 cores' })
  cores?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 16 })
  @IsOptional()
  @IsInt({ message: 'must be 1..16 sockets' })
  @Min(1, { message: 'must be 1..16 sockets' })
  @Max(16, { message: 'must be 1..16 sockets' })
  sockets?: number;

  @ApiPropertyOptional({ example: 'host', description: 'A CPU type Proxmox knows, or custom-<name>' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;
}

export class MemoryUpdateDto {
  @ApiPropertyOptional({ minimum: 16, maximum: 4_194_304, description: 'MB' })
  @IsOptional()
  @IsInt({ message: 'must be 16..4194304 MB' })
  @Min(16, { message: 'must be 16..4194304 MB' })
  @Max(4_194_304, { message: 'must be 16..4194304 MB' })
  size_mb?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'MB, at most size_mb; 0 turns ballooning off' })
  @IsOptional()
  @IsInt({ message: 'must be 0..size_mb MB' })
  @Min(0, { message: 'must be 0..size_mb MB' })
  @Max(4_194_304, { message: 'must be 0..size_mb MB' })
  balloon_mb?: number;
}

/** A change of a server's configuration (docs/api.md §3.2): only what is given changes. */
export class UpdateServerConfigDto {
  @ApiPropertyOptional({ type: CpuUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CpuUpdateDto)
  cpu?: CpuUpdateDto;

  @ApiPropertyOptional({ type: MemoryUpdateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MemoryUpdateDto)
  memory?: MemoryUpdateDto;

  @ApiPropertyOptional({ maxLength: 8192, description: 'Notes (Proxmox’s description)' })
  @IsOptional()
  @IsString()
  @MaxLength(8192, { message: 'must be at most 8192 characters' })
  description?: string;

  @ApiPropertyOptional({ type: [String], description: 'The `proxdeck` tag is kept whatever is sent' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32, { message: 'must hold at most 32 tags' })
  @IsString({ each: true })
  @MaxLength(64, { each: true, message: 'each tag must be at most 64 characters' })
  @Matches(PVE_TAG, {
    each: true,
    message: 'each tag must be letters, digits and _ - + . (not starting with - + .)',
  })
  tags?: string[];

  @ApiPropertyOptional({ description: 'The digest read with the configuration: a change since is a 409' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{40}$/, { message: 'must be the digest read with the configuration (40 hex digits)' })
  digest?: string;
}

// ---- disks ---------------------------------------------------------------------------------------------

export class AddDiskDto {
  @ApiProperty({ minimum: 1, maximum: 65536, description: 'GB' })
  @IsInt({ message: 'must be a whole number of GB, 1..65536' })
  @Min(1, { message: 'must be a whole number of GB, 1..65536' })
  @Max(65536, { message: 'must be a whole number of GB, 1..65536' })
  size_gb!: number;

  @ApiPropertyOptional({ enum: ['scsi', 'virtio', 'sata'], default: 'scsi' })
  @IsOptional()
  @IsIn(['scsi', 'virtio', 'sata'], { message: 'must be scsi, virtio or sata' })
  interface?: 'scsi' | 'virtio' | 'sata';

  @ApiPropertyOptional({ description: 'A datastore holding disk images; the boot disk’s by default' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { message: 'must be a datastore name' })
  datastore?: string;
}

export class ResizeDiskDto {
  @ApiProperty({ minimum: 1, maximum: 65536, description: 'The new size in GB: larger than the current one' })
  @IsInt({ message: 'must be a whole number of GB, 1..65536' })
  @Min(1, { message: 'must be a whole number of GB, 1..65536' })
  @Max(65536, { message: 'must be a whole number of GB, 1..65536' })
  size_gb!: number;
}

// ---- power and bulk ------------------------------------------------------------------------------------

export class StopServerDto {
  @ApiPropertyOptional({ default: false, description: 'Power off when the guest has not shut down in time' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 600, default: 60, description: 'Seconds to shut down' })
  @IsOptional()
  @IsInt({ message: 'must be 1..600 seconds' })
  @Min(1, { message: 'must be 1..600 seconds' })
  @Max(600, { message: 'must be 1..600 seconds' })
  timeout_s?: number;
}

export class RebootServerDto {
  @ApiPropertyOptional({ default: false, description: 'Reset (a hard restart) instead of a guest reboot' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class BulkActionDto {
  @ApiProperty({ enum: SERVER_ACTIONS })
  @IsIn(SERVER_ACTIONS, { message: `must be one of ${SERVER_ACTIONS.join(', ')}` })
  action!: ServerAction;

  @ApiProperty({ type: [String], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name 1..100 servers' })
  @ArrayMaxSize(100, { message: 'must name 1..100 servers' })
  @ArrayUnique({ message: 'must not name a server twice' })
  @IsString({ each: true })
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { each: true, message: 'each must be a server name' })
  server_names!: string[];

  @ApiPropertyOptional({ default: false, description: 'stop: power off after the timeout; reboot: reset' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 600, description: 'stop: seconds to shut down (default 60)' })
  @IsOptional()
  @IsInt({ message: 'must be 1..600 seconds' })
  @Min(1, { message: 'must be 1..600 seconds' })
  @Max(600, { message: 'must be 1..600 seconds' })
  timeout_s?: number;
}

export class BulkFailureDto {
  @ApiProperty() name!: string;
  @ApiProperty() error!: string;
}

export class BulkActionResultDto {
  @ApiProperty() task_id!: string;
  @ApiProperty({ type: [String] }) succeeded!: string[];
  @ApiProperty({ type: [BulkFailureDto] }) failed!: BulkFailureDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Outcome per server',
  })
  outcomes!: Record<string, string>;
}

// ---- logs ----------------------------------------------------------------------------------------------

export class ServerLogsQueryDto {
  @ApiPropertyOptional({ enum: ['tasks', 'events', 'guest'], default: 'tasks' })
  @IsOptional()
  @IsIn(['tasks', 'events', 'guest'], { message: 'must be tasks, events or guest' })
  type: 'tasks' | 'events' | 'guest' = 'tasks';

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be 1..1000' })
  @Min(1, { message: 'must be 1..1000' })
  @Max(1000, { message: 'must be 1..1000' })
  limit = 100;

  @ApiPropertyOptional({ description: 'guest: a file of GUEST_LOG_PATHS; the syslog by default' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  path?: string;
}

export class PveTaskLogDto {
  @ApiProperty() upid!: string;
  @ApiProperty({ example: 'qmstart' }) type!: string;
  @ApiProperty() user!: string;
  @ApiProperty() node!: string;
  @ApiProperty({ description: 'ISO time' }) started_at!: string;
  @ApiProperty({ type: String, nullable: true }) ended_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'OK, WARNINGS: n, or Proxmox’s error' })
  status!: string | null;
  @ApiProperty({ type: [String], description: 'The task’s log (its first 200 lines)' }) log!: string[];
}

export class ServerEventDto {
  @ApiProperty() at!: string;
  @ApiProperty({ example: 'stop' }) action!: string;
  @ApiProperty({ enum: ['requested', 'completed', 'failed'] }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) actor!: string | null;
  @ApiProperty() detail!: string;
  @ApiProperty({ type: String, nullable: true }) task_id!: string | null;
}

export class GuestLogDto {
  @ApiProperty() path!: string;
  @ApiProperty({ type: [String], description: 'The last `limit` lines' }) lines!: string[];
  @ApiProperty({ description: 'The agent read only the start of a larger file' }) truncated!: boolean;
}

export class ServerLogsDto {
  @ApiProperty({ enum: ['tasks', 'events', 'guest'] }) type!: string;
  @ApiPropertyOptional({ type: [PveTaskLogDto] }) tasks?: PveTaskLogDto[];
  @ApiPropertyOptional({ type: [ServerEventDto] }) events?: ServerEventDto[];
  @ApiPropertyOptional({ type: GuestLogDto }) guest?: GuestLogDto;
}
