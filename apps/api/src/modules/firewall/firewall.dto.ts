import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { GROUP_NAME, LOG_LEVELS, RULE_ACTIONS, RULE_DIRECTIONS, SET_NAME } from './firewall-rules';

const GROUP_NAME_MESSAGE = 'must be 2–18 characters: a letter, then letters, digits, - or _';
const SET_NAME_MESSAGE = 'must be 2–64 characters: a letter, then letters, digits, - or _';

/** Create a group, change its comment (the name exists), or rename one (`rename` = the old name). */
export class SaveGroupDto {
  @ApiProperty({ example: 'web-servers', description: GROUP_NAME_MESSAGE })
  @IsString()
  @Matches(GROUP_NAME, { message: `name ${GROUP_NAME_MESSAGE}` })
  name!: string;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  comment?: string;

  @ApiPropertyOptional({ description: 'The current name of a group to rename to `name` (a task)' })
  @IsOptional()
  @IsString()
  @Matches(GROUP_NAME, { message: `rename ${GROUP_NAME_MESSAGE}` })
  rename?: string;
}

/**
 * A rule (docs/api.md §7). Without `pos` it is added (at the top, or at `insert_at`); with `pos` the rule there
 * is replaced by this one; with `pos` and `moveto` it is only moved. Field values are checked as Proxmox checks
 * them (firewall-rules.ts), each problem named by its field.
 */
export class RuleBodyDto {
  @ApiPropertyOptional({ enum: RULE_DIRECTIONS }) @IsOptional() type?: string;
  @ApiPropertyOptional({ enum: RULE_ACTIONS }) @IsOptional() action?: string;
  @ApiPropertyOptional({ description: 'A Proxmox macro (SSH, HTTPS, …); excludes proto, dport and sport' })
  @IsOptional()
  macro?: string;
  @ApiPropertyOptional({ example: 'tcp' }) @IsOptional() proto?: string;
  @ApiPropertyOptional({ example: '80,443', description: '`22`, `80,443`, `1000:2000`' })
  @IsOptional()
  dport?: string;
  @ApiPropertyOptional() @IsOptional() sport?: string;
  @ApiPropertyOptional({ description: 'IPv4/IPv6, CIDR, range a-b, list, alias, +ipset' })
  @IsOptional()
  source?: string;
  @ApiPropertyOptional() @IsOptional() dest?: string;
  @ApiPropertyOptional() @IsOptional() iface?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() enable?: boolean;
  @ApiPropertyOptional({ enum: LOG_LEVELS }) @IsOptional() log?: string;
  @ApiPropertyOptional() @IsOptional() comment?: string;

  @ApiPropertyOptional({ description: 'The position of the rule to update or move' })
  @IsOptional()
  @IsInt({ message: 'pos must be a position (0, 1, …)' })
  @Min(0, { message: 'pos must be a position (0, 1, …)' })
  pos?: number;

  @ApiPropertyOptional({ description: 'With pos: move the rule so that it ends up at this position' })
  @IsOptional()
  @IsInt({ message: 'moveto must be a position (0, 1, …)' })
  @Min(0, { message: 'moveto must be a position (0, 1, …)' })
  moveto?: number;

  @ApiPropertyOptional({ description: 'Without pos: add the rule at this position (default: the top)' })
  @IsOptional()
  @IsInt({ message: 'insert_at must be a position (0, 1, …)' })
  @Min(0, { message: 'insert_at must be a position (0, 1, …)' })
  insert_at?: number;

  @ApiPropertyOptional({ description: "The group's digest as read: a stale one is a 409" })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{1,64}$/, { message: 'digest must be the digest the group was read with' })
  digest?: string;
}

export class DeleteRuleQueryDto {
  @ApiPropertyOptional({ description: "The group's digest as read: a stale one is a 409" })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{1,64}$/, { message: 'digest must be the digest the group was read with' })
  digest?: string;
}

export class DeleteGroupQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Detach it from the servers using it first' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'force must be true or false' })
  force?: string;
}

export class RuleDto {
  @ApiProperty() pos!: number;
  @ApiProperty({ enum: [...RULE_DIRECTIONS, 'group'] }) type!: string;
  @ApiProperty() action!: string;
  @ApiPropertyOptional() macro?: string;
  @ApiPropertyOptional() proto?: string;
  @ApiPropertyOptional() dport?: string;
  @ApiPropertyOptional() sport?: string;
  @ApiPropertyOptional() source?: string;
  @ApiPropertyOptional() dest?: string;
  @ApiPropertyOptional() iface?: string;
  @ApiPropertyOptional() log?: string;
  @ApiPropertyOptional() comment?: string;
  @ApiProperty() enable!: boolean;
}

export class GroupSummaryDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() rules_count!: number;
  @ApiProperty({ type: [String], description: 'Servers Proxdeck attached it to' }) servers!: string[];
}

export class GroupDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ description: "Proxmox's digest of the rules: send it back with an edit" }) digest!: string;
  @ApiProperty({ type: [RuleDto] }) rules!: RuleDto[];
  @ApiProperty({ type: [String] }) servers!: string[];
}

export class RulesDto {
  @ApiProperty() digest!: string;
  @ApiProperty({ type: [RuleDto] }) rules!: RuleDto[];
}

export class ApplyGroupDto {
  @ApiProperty({ example: 'web-servers' })
  @IsString()
  @Matches(GROUP_NAME, { message: `security_group ${GROUP_NAME_MESSAGE}` })
  security_group!: string;
}

export class AssignBulkDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    each: true,
    message: 'server_names must be server names',
  })
  server_names!: string[];

  @ApiProperty({ description: 'A group name, or "none" to remove the group Proxdeck attached' })
  @IsString()
  @Matches(/^(none|[A-Za-z][A-Za-z0-9\-_]{1,17})$/, {
    message: `security_group must be "none" or a group name (${GROUP_NAME_MESSAGE})`,
  })
  security_group!: string;
}

export class ServerFirewallDto {
  @ApiProperty() server_name!: string;
  @ApiProperty({ type: String, nullable: true }) firewall_group!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['group_missing', 'group_disabled', 'firewall_off'] })
  drift!: string | null;
}

export class DriftDto {
  @ApiProperty() server_name!: string;
  @ApiProperty() firewall_group!: string;
  @ApiProperty({ enum: ['group_missing', 'group_disabled', 'firewall_off'] }) reason!: string;
  @ApiProperty({ type: String, format: 'date-time' }) detected_at!: string;
}

export class SaveIpsetDto {
  @ApiProperty() @IsString() @Matches(SET_NAME, { message: `name ${SET_NAME_MESSAGE}` }) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) comment?: string;
}

export class IpsetEntryBodyDto {
  @ApiProperty({ example: '10.0.0.0/24', description: 'An IP, a CIDR or an alias' })
  @IsString()
  @MaxLength(64)
  cidr!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) comment?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() nomatch?: boolean;
}

export class IpsetEntryDto {
  @ApiProperty() cidr!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() nomatch!: boolean;
}

export class IpsetDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ type: [IpsetEntryDto] }) entries!: IpsetEntryDto[];
}

export class SaveAliasDto {
  @ApiProperty() @IsString() @Matches(SET_NAME, { message: `name ${SET_NAME_MESSAGE}` }) name!: string;
  @ApiProperty({ example: '192.0.2.0/24' }) @IsString() @MaxLength(64) cidr!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) comment?: string;
}

export class UpdateAliasDto {
  @ApiPropertyOptional({ description: 'A new name' })
  @IsOptional()
  @IsString()
  @Matches(SET_NAME, { message: `name ${SET_NAME_MESSAGE}` })
  name?: string;
  @ApiProperty({ example: '192.0.2.0/24' }) @IsString() @MaxLength(64) cidr!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) comment?: string;
}

export class AliasDto {
  @ApiProperty() name!: string;
  @ApiProperty() cidr!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
}
