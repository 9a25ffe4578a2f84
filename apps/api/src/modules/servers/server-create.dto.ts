import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV4_OR_AUTO = /^(auto|(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})$/;
export const DISK_INTERFACES = ['scsi', 'virtio', 'sata'] as const;

export class CreateDiskDto {
  @ApiProperty({ minimum: 1, maximum: 65536, example: 20 })
  @IsInt({ message: 'must be a whole number of GB' })
  @Min(1, { message: 'must be 1..65536' })
  @Max(65536, { message: 'must be 1..65536' })
  size_gb!: number;

  @ApiPropertyOptional({
    example: 'scsi1',
    description: 'scsi, virtio or sata, with or without the index (scsi1); the next free index by default',
  })
  @IsOptional()
  @IsString()
  @Matches(/^(scsi|virtio|sata)(\d{1,2})?$/, { message: 'must be scsi, virtio or sata, e.g. scsi1' })
  interface?: string;

  @ApiPropertyOptional({
    example: 'auto',
    description: 'A datastore holding images, or "auto" (the default)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { message: 'must be a datastore name or "auto"' })
  datastore_id?: string;

  @ApiPropertyOptional({ enum: ['hdd', 'ssd'], default: 'hdd' })
  @IsOptional()
  @IsIn(['hdd', 'ssd'], { message: 'must be hdd or ssd' })
  disk_type?: 'hdd' | 'ssd';
}

export class CreateNetworkDeviceDto {
  @ApiProperty({ example: 'vmbr0' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/, { message: 'must be a bridge name such as vmbr0' })
  bridge!: string;

  @ApiPropertyOptional({
    example: 'auto',
    description: 'An IPv4 address, or "auto" (from the bridge’s pool)',
  })
  @IsOptional()
  @IsString()
  @Matches(IPV4_OR_AUTO, { message: 'must be an IPv4 address or "auto"' })
  ip_address?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 32,
    description: 'Prefix length, for an address outside pools',
  })
  @IsOptional()
  @IsInt({ message: 'must be a prefix length 1..32' })
  @Min(1, { message: 'must be a prefix length 1..32' })
  @Max(32, { message: 'must be a prefix length 1..32' })
  subnet?: number;

  @ApiPropertyOptional({ example: '10.0.0.1', description: 'For an address outside pools' })
  @IsOptional()
  @IsString()
  @Matches(IPV4, { message: 'must be an IPv4 address' })
  gateway?: string;
}

/** What a new server is to be (docs/api.md §3.3); field names are the original UI's. */
export class CreateServerDto {
  @ApiProperty({ example: 'web-01', description: 'A DNS label, unique among servers' })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be 1-63 lower-case letters, digits and "-", not starting or ending with "-"',
  })
  name!: string;

  @ApiPropertyOptional({ example: 'rocky', description: 'A key of the OS_TEMPLATES setting' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'must be an OS type such as rocky' })
  os_type?: string;

  @ApiPropertyOptional({ description: 'A template VMID; overrides os_type' })
  @IsOptional()
  @IsInt({ message: 'must be a VMID' })
  @Min(100, { message: 'must be a VMID (100..999999999)' })
  @Max(999_999_999, { message: 'must be a VMID (100..999999999)' })
  template_vm_id?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 128, default: 2 })
  @IsOptional()
  @IsInt({ message: 'must be 1..128 cores' })
  @Min(1, { message: 'must be 1..128 cores' })
  @Max(128, { message: 'must be 1..128 cores' })
  cpu?: number;

  @ApiPropertyOptional({ minimum: 512, maximum: 1_048_576, default: 2048, description: 'MB' })
  @IsOptional()
  @IsInt({ message: 'must be 512..1048576 MB' })
  @Min(512, { message: 'must be 512..1048576 MB' })
  @Max(1_048_576, { message: 'must be 512..1048576 MB' })
  memory?: number;

  @ApiPropertyOptional({ type: [CreateDiskDto], description: '1-8 disks; the first is the boot disk' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'must hold 1..8 disks' })
  @ArrayMaxSize(8, { message: 'must hold 1..8 disks' })
  @ValidateNested({ each: true })
  @Type(() => CreateDiskDto)
  disks?: CreateDiskDto[];

  @ApiPropertyOptional({ type: [CreateNetworkDeviceDto], description: '1-4 network devices' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'must hold 1..4 network devices' })
  @ArrayMaxSize(4, { message: 'must hold 1..4 network devices' })
  @ValidateNested({ each: true })
  @Type(() => CreateNetworkDeviceDto)
  network_devices?: CreateNetworkDeviceDto[];

  @ApiPropertyOptional({ example: 'pve1', description: 'Default: the node with the most free memory' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, { message: 'must be a node name' })
  node?: string;

  @ApiPropertyOptional({ description: 'A role from /api/roles/available' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  role?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "The role's variables (GET /api/roles/available lists them); secret ones are never stored in clear",
  })
  @IsOptional()
  @IsObject({ message: 'must be an object of variable values' })
  role_variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'An existing security group' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9\-_]{1,17}$/, { message: 'must be a security group name (2-18 characters)' })
  firewall_group?: string;

  @ApiPropertyOptional({ description: 'The cloud-init user; default the VM_USERNAME setting' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_][a-z0-9_-]{0,31}$/, { message: 'must be a Linux user name' })
  vm_username?: string;

  @ApiPropertyOptional({
    description: 'Never stored in clear nor returned; without it and without keys, one is generated',
    minLength: 8,
    maxLength: 128,
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be 8..128 characters' })
  @MaxLength(128, { message: 'must be 8..128 characters' })
  vm_password?: string;

  @ApiPropertyOptional({ type: [String], description: 'OpenSSH public keys' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(
    /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\r\n]{0,200})?$/,
    {
      each: true,
      message: 'must be OpenSSH public keys (type, key, optional comment)',
    },
  )
  ssh_keys?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Proxmox tags; "proxdeck" is always added' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @Matches(/^[a-z0-9_][a-z0-9_+.-]{0,63}$/, {
    each: true,
    message: 'must be Proxmox tags (a-z, 0-9, _ + . -)',
  })
  tags?: string[];

  @ApiPropertyOptional({ maxLength: 8192 })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  description?: string;
}

/** A bulk creation: a list of servers, or one pattern (`base_name` + `count`) naming `base-01..base-NN`. */
export class BulkCreateServersDto extends CreateServerDto {
  @ApiPropertyOptional({ type: [CreateServerDto], description: '1-100 servers' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'must hold 1..100 servers' })
  @ArrayMaxSize(100, { message: 'must hold 1..100 servers' })
  @ValidateNested({ each: true })
  @Type(() => CreateServerDto)
  servers?: CreateServerDto[];

  @ApiPropertyOptional({ example: 'web', description: 'With count: names base-01..base-NN' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,55}[a-z0-9])?$/, {
    message: 'must be a DNS label of at most 57 characters',
  })
  base_name?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt({ message: 'must be 1..100' })
  @Min(1, { message: 'must be 1..100' })
  @Max(100, { message: 'must be 1..100' })
  count?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 9999, default: 1 })
  @IsOptional()
  @IsInt({ message: 'must be 0..9999' })
  @Min(0, { message: 'must be 0..9999' })
  @Max(9999, { message: 'must be 0..9999' })
  start_index?: number;

  // The name comes from base_name in the pattern form, and from each entry in the list form.
  @ApiPropertyOptional({ description: 'Not used by a bulk creation: see servers[] and base_name' })
  @IsOptional()
  declare name: string;
}

export class PreviewNetworkDto {
  @ApiProperty({ example: 'net0' }) device!: string;
  @ApiProperty({ example: 'vmbr0' }) bridge!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The address given, or one "auto" would give now (null: the pools have run out). A batch gets the addresses ' +
      'shown, though servers created in parallel may swap them',
  })
  ip_address!: string | null;
  @ApiProperty({ description: 'Chosen by "auto": a creation meanwhile may take it first' }) auto!: boolean;
}

export class PreviewDiskDto {
  @ApiProperty() device!: string;
  @ApiProperty() datastore!: string;
  @ApiProperty() size_gb!: number;
}

export class PreviewServerDto {
  @ApiProperty() name!: string;
  @ApiProperty() node!: string;
  @ApiProperty() template_vmid!: number;
  @ApiProperty() cpu_cores!: number;
  @ApiProperty() memory_mb!: number;
  @ApiProperty({ type: [PreviewDiskDto] }) disks!: PreviewDiskDto[];
  @ApiProperty({ type: [PreviewNetworkDto] }) networks!: PreviewNetworkDto[];
}

/** What a creation request would make (POST /api/servers/preview). */
export class CreationPreviewDto {
  @ApiProperty({ type: [PreviewServerDto] }) servers!: PreviewServerDto[];
}
