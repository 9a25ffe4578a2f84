import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import type { Server } from './server.entity';
import { SERVER_STATUSES, type ServerStatus } from './server-status';
import { SERVER_SORT_FIELDS } from './servers.repository';

export class ServerDiskDto {
  @ApiProperty({ example: 'scsi0' }) device!: string;
  @ApiProperty({ example: 'local-lvm' }) datastore!: string;
  @ApiProperty({ example: 20 }) size_gb!: number;
}

export class ServerNetworkDto {
  @ApiProperty({ example: 'net0' }) device!: string;
  @ApiProperty({ example: 'vmbr0' }) bridge!: string;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.21' }) ip_address!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 24 }) prefix!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.1' }) gateway!: string | null;
  @ApiProperty({ type: String, nullable: true }) mac!: string | null;
}

export class ServerLiveDto {
  @ApiProperty({ description: 'CPU use, 0..1 of the VM’s cores' }) cpu_usage!: number;
  @ApiProperty() mem_bytes!: number;
  @ApiProperty() maxmem_bytes!: number;
  @ApiProperty() disk_bytes!: number;
  @ApiProperty() uptime_s!: number;
  @ApiProperty() netin_bytes!: number;
  @ApiProperty() netout_bytes!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Proxmox’s lock (clone, backup, ...)' })
  lock!: string | null;
}

/** A server of the inventory (docs/api.md §3.1). */
export class ServerDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'web-01' }) name!: string;
  @ApiProperty({ type: Number, nullable: true }) vmid!: number | null;
  @ApiProperty({ type: String, nullable: true }) node!: string | null;
  @ApiProperty({ enum: SERVER_STATUSES }) status!: ServerStatus;
  @ApiProperty({ enum: ['created', 'imported'], description: 'Made by Proxdeck, or imported by a sync' })
  origin!: 'created' | 'imported';
  @ApiProperty() cpu_cores!: number;
  @ApiProperty() memory_mb!: number;
  @ApiProperty({ type: [ServerDiskDto] }) disks!: ServerDiskDto[];
  @ApiProperty({ type: [ServerNetworkDto] }) networks!: ServerNetworkDto[];
  @ApiProperty({ type: [String] }) ip_addresses!: string[];
  @ApiProperty({ type: String, nullable: true }) os_type!: string | null;
  @ApiProperty({ type: Number, nullable: true }) template_vmid!: number | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty({ type: String, nullable: true }) firewall_group!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() description!: string;
  @ApiProperty({ type: ServerLiveDto, nullable: true }) live!: ServerLiveDto | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) created_by!: number | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_synced_at!: string | null;

  static from(server: Server): ServerDto {
    return {
      id: server.id,
      name: server.name,
      vmid: server.vmid,
      node: server.node,
      status: server.status,
      origin: server.origin,
      cpu_cores: server.cpuCores,
      memory_mb: server.memoryMb,
      disks: server.disks,
      networks: server.networks,
      ip_addresses: server.ipAddresses,
      os_type: server.osType,
      template_vmid: server.templateVmid,
      role: server.role,
      firewall_group: server.firewallGroup,
      tags: server.tags,
      description: server.description,
      live: server.live,
      error: server.error,
      created_by: server.createdBy,
      created_at: server.createdAt.toISOString(),
      updated_at: server.updatedAt.toISOString(),
      last_synced_at: server.lastSyncedAt?.toISOString() ?? null,
    };
  }
}

/** A server in a few fields, for pickers (`GET /api/servers/brief`). */
export class ServerBriefDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: Number, nullable: true }) vmid!: number | null;
  @ApiProperty({ enum: SERVER_STATUSES }) status!: ServerStatus;
  @ApiProperty({ type: [String] }) ip_addresses!: string[];
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty({ type: String, nullable: true }) firewall_group!: string | null;
  @ApiProperty({ type: String, nullable: true }) os_type!: string | null;

  static from(server: Server): ServerBriefDto {
    return {
      id: server.id,
      name: server.name,
      vmid: server.vmid,
      status: server.status,
      ip_addresses: server.ipAddresses,
      role: server.role,
      firewall_group: server.firewallGroup,
      os_type: server.osType,
    };
  }
}

const SORTS = SERVER_SORT_FIELDS.flatMap((field) => [field, `-${field}`]);
const PROXMOX_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ServerListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SERVER_STATUSES })
  @IsOptional()
  @IsIn(SERVER_STATUSES)
  status?: ServerStatus;

  @ApiPropertyOptional({ example: 'pve1' })
  @IsOptional()
  @IsString()
  @Matches(PROXMOX_NAME, { message: 'node must be a node name' })
  node?: string;

  @ApiPropertyOptional({ example: 'web' })
  @IsOptional()
  @IsString()
  @Matches(PROXMOX_NAME, { message: 'role must be a role name' })
  role?: string;

  @ApiPropertyOptional({ example: 'web-servers' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9\-_]{1,17}$/, { message: 'firewall_group must be a security group name' })
  firewall_group?: string;

  @ApiPropertyOptional({ description: 'A part of the name, or the start of an IP address', maxLength: 63 })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  q?: string;

  @ApiPropertyOptional({
    enum: SORTS,
    default: 'name',
    description: '`field` ascending, `-field` descending',
  })
  @IsOptional()
  @IsIn(SORTS)
  sort = 'name';
}

export class NodeFiguresDto {
  @ApiProperty() node!: string;
  @ApiProperty({ example: 'online' }) status!: string;
  @ApiProperty({ description: 'CPU use, 0..1' }) cpu!: number;
  @ApiProperty() maxcpu!: number;
  @ApiProperty() mem!: number;
  @ApiProperty() maxmem!: number;
}

export class ClusterStatsDto {
  @ApiProperty() total!: number;
  @ApiProperty() running!: number;
  @ApiProperty() stopped!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: Object, additionalProperties: { type: 'integer' }, description: 'Servers per status' })
  by_status!: Record<string, number>;
  @ApiProperty() cpu_usage_percent!: number;
  @ApiProperty() memory_usage_percent!: number;
  @ApiProperty({ description: 'Cores given to servers, against the nodes’ cores' })
  cpu_allocation_percent!: number;
  @ApiProperty({ description: 'Memory given to servers, against the nodes’ memory' })
  memory_allocation_percent!: number;
  @ApiProperty({ type: [NodeFiguresDto] }) nodes!: NodeFiguresDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the nodes were read' })
  nodes_read_at!: string | null;
}

export class AllServerStatusDto {
  @ApiProperty({ type: Object, additionalProperties: { $ref: '#/components/schemas/ServerDto' } })
  servers!: Record<string, ServerDto>;
  @ApiProperty({ type: ClusterStatsDto }) stats!: ClusterStatsDto;
}

/** A VM's status read from Proxmox now (`status/current`). */
export class LiveServerStatusDto {
  @ApiProperty() name!: string;
  @ApiProperty() vmid!: number;
  @ApiProperty() node!: string;
  @ApiProperty({ example: 'running' }) status!: string;
  @ApiProperty() qmpstatus!: string;
  @ApiProperty({ type: String, nullable: true }) lock!: string | null;
  @ApiProperty() cpu!: number;
  @ApiProperty() mem!: number;
  @ApiProperty() maxmem!: number;
  @ApiProperty() uptime!: number;
  @ApiProperty({ description: 'The guest agent is enabled in the VM’s config' }) agent!: boolean;
}

export class SyncServersDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Take VMs Proxdeck does not manage into the inventory',
  })
  @IsOptional()
  @IsBoolean()
  import_unmanaged?: boolean;
}
