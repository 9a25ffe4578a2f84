import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Datastore } from './datastore.entity';
import type { DatastoreList, NodeStorageStatus } from './datastores.service';

const STORAGE_ID = /^[A-Za-z][A-Za-z0-9._-]*$/;
const NODE_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** One datastore of docs/api.md §5. */
export class DatastoreDto {
  @ApiProperty({ example: 'local-lvm', description: 'The Proxmox storage id' }) id!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'pve1',
    description: 'The node of a node’s own storage; null for a shared one (or one no node reports)',
  })
  node!: string | null;
  @ApiProperty({ example: 'lvmthin' }) type!: string;
  @ApiProperty({ type: [String], example: ['images', 'rootdir'] }) content!: string[];
  @ApiProperty() shared!: boolean;
  @ApiProperty({ description: 'Enabled and active (on some node, for a shared one)' }) active!: boolean;
  @ApiProperty() total_bytes!: number;
  @ApiProperty() used_bytes!: number;
  @ApiProperty() avail_bytes!: number;
  @ApiProperty() is_default_hdd!: boolean;
  @ApiProperty() is_default_ssd!: boolean;

  static from(row: Datastore, defaults: DatastoreList['defaults']): DatastoreDto {
    return {
      id: row.storage,
      node: row.node,
      type: row.type,
      content: [...row.content],
      shared: row.shared,
      active: row.active,
      total_bytes: row.totalBytes,
      used_bytes: row.usedBytes,
      avail_bytes: row.availBytes,
      is_default_hdd: row.storage === defaults.hdd,
      is_default_ssd: row.storage === defaults.ssd,
    };
  }
}

export class DefaultsChosenDto {
  @ApiProperty() hdd!: boolean;
  @ApiProperty() ssd!: boolean;
}

/** The datastores and the defaults for new disks. */
export class DatastoreListDto {
  @ApiProperty({ type: [DatastoreDto] }) datastores!: DatastoreDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Where `auto` HDD disks go' }) default_hdd!:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where `auto` SSD disks go' }) default_ssd!:
    string | null;
  @ApiProperty({
    type: DefaultsChosenDto,
    description: 'Whether an administrator chose each default (otherwise Proxdeck picks one holding images)',
  })
  defaults_chosen!: DefaultsChosenDto;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When Proxmox was last read',
  })
  refreshed_at!: string | null;

  static from(list: DatastoreList): DatastoreListDto {
    return {
      datastores: list.datastores.map((row) => DatastoreDto.from(row, list.defaults)),
      default_hdd: list.defaults.hdd,
      default_ssd: list.defaults.ssd,
      defaults_chosen: { hdd: list.chosen.hdd, ssd: list.chosen.ssd },
      refreshed_at: list.refreshedAt?.toISOString() ?? null,
    };
  }
}

/** `{hdd_datastore_id, ssd_datastore_id}`: both must exist and hold disk images. */
export class DatastoreDefaultsBodyDto {
  @ApiProperty({ example: 'local-lvm' })
  @IsString()
  @MaxLength(100)
  @Matches(STORAGE_ID, { message: 'hdd_datastore_id must be a storage id such as local-lvm' })
  hdd_datastore_id!: string;

  @ApiProperty({ example: 'ssd-pool' })
  @IsString()
  @MaxLength(100)
  @Matches(STORAGE_ID, { message: 'ssd_datastore_id must be a storage id such as local-lvm' })
  ssd_datastore_id!: string;
}

export class ProxmoxStorageQueryDto {
  @ApiPropertyOptional({ example: 'pve1', description: 'Only this node' })
  @IsOptional()
  @IsString()
  @Matches(NODE_NAME, { message: 'node must be a node name such as pve1' })
  node?: string;
}

/** One node's storage, as Proxmox reports it (`GET /nodes/{node}/storage`). */
export class ProxmoxNodeStorageDto {
  @ApiProperty({ example: 'pve1' }) node!: string;
  @ApiProperty({ example: 'online' }) status!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'Proxmox’s own items: storage, type, content, active, enabled, shared, total, used, avail, …',
  })
  storage!: Record<string, unknown>[];
  @ApiProperty({ type: String, nullable: true, description: 'Why the node’s storage could not be read' })
  error!: string | null;

  static from(status: NodeStorageStatus): ProxmoxNodeStorageDto {
    return {
      node: status.node,
      status: status.status,
      storage: status.storage.map((item) => ({ ...item })),
      error: status.error,
    };
  }
}
