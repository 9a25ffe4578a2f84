import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches } from 'class-validator';

export class CleanupDbStateDto {
  @ApiProperty() exists!: boolean;
  @ApiProperty({ type: String, nullable: true }) status!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['created', 'imported'] }) origin!: string | null;
}

export class CleanupPveStateDto {
  @ApiProperty() exists!: boolean;
  @ApiProperty({ type: Number, nullable: true }) vmid!: number | null;
  @ApiProperty({ type: String, nullable: true }) node!: string | null;
  @ApiProperty({ type: String, nullable: true }) status!: string | null;
  @ApiProperty({ type: String, nullable: true }) lock!: string | null;
  @ApiProperty({ description: 'Carries the proxdeck tag: Proxdeck made it' }) tagged!: boolean;
}

/** What is left of a server, in Proxdeck and in Proxmox, and whether cleaning it up is needed (§12). */
export class CleanupStatusDto {
  @ApiProperty() server_name!: string;
  @ApiProperty({ type: CleanupDbStateDto }) db!: CleanupDbStateDto;
  @ApiProperty({ type: CleanupPveStateDto }) pve!: CleanupPveStateDto;
  @ApiProperty({ type: [String] }) ips_reserved!: string[];
  @ApiProperty() needs_cleanup!: boolean;
  @ApiProperty({ type: [String] }) reasons!: string[];
}

/** A server (or a VM without a server) that cleanup can remove. */
export class CleanupCandidateDto {
  @ApiProperty() server_name!: string;
  @ApiProperty({ enum: ['failed', 'stuck_creating', 'missing', 'orphan_vm'] }) kind!:
    'failed' | 'stuck_creating' | 'missing' | 'orphan_vm';
  @ApiProperty({ type: Number, nullable: true }) vmid!: number | null;
  @ApiProperty({ type: String, nullable: true }) node!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) since!: string | null;
}

export class BulkCleanDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name 1..100 servers' })
  @ArrayMaxSize(100, { message: 'must name 1..100 servers' })
  @IsString({ each: true })
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { each: true, message: 'must be server names' })
  server_names!: string[];
}
