import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_PERMISSIONS, ROLE_NAMES, type Permission, type RoleName } from '@proxdeck/contracts';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { AUDIT_RESULTS, type AuditResult } from '../../platform/audit/audit-entry.entity';
import type { AuditRecord } from '../../platform/audit/audit-trail';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { UserDto, type TokenView } from '../users';

/** Usernames: 2–64 characters, letters, digits, dot, dash and underscore, starting with a letter or digit. */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

function booleanQuery({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Text in the username, name or email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ROLE_NAMES })
  @IsOptional()
  @IsIn(ROLE_NAMES)
  role?: RoleName;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class CreateUserDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME.source })
  @IsString()
  @Matches(USERNAME, {
    message:
      'username must be 2–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  })
  username!: string;

  @ApiProperty({ format: 'password', minLength: 10, description: 'At least 10 characters, not the username' })
  @IsString()
  @MaxLength(256)
  password!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'email' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string | null;

  @ApiPropertyOptional({ enum: ROLE_NAMES, default: 'viewer' })
  @IsOptional()
  @IsIn(ROLE_NAMES)
  role?: RoleName;

  @ApiPropertyOptional({ enum: ALL_PERMISSIONS, isArray: true, description: "Default: the role's" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  permissions?: string[];
}

export class ResetPasswordDto {
  @ApiProperty({ format: 'password', minLength: 10, description: 'At least 10 characters, not the username' })
  @IsString()
  @MaxLength(256)
  new_password!: string;
}

export class SetPermissionsDto {
  @ApiProperty({ enum: ALL_PERMISSIONS, isArray: true, description: 'Known names only' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  permissions!: string[];
}

export class SetRoleDto {
  @ApiProperty({ enum: ROLE_NAMES })
  @IsIn(ROLE_NAMES)
  role!: RoleName;

  @ApiPropertyOptional({ description: "Keep the current permissions instead of taking the role's" })
  @IsOptional()
  @IsBoolean()
  keep_permissions?: boolean;
}

export class PermissionInfoDto {
  @ApiProperty({ enum: ALL_PERMISSIONS }) name!: Permission;
  @ApiProperty() description!: string;
}

export class IamUserDto {
  @ApiProperty() username!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLE_NAMES }) role!: RoleName;
  @ApiProperty({ enum: ALL_PERMISSIONS, isArray: true }) permissions!: Permission[];
  @ApiProperty() is_active!: boolean;
}

export class IamDataDto {
  @ApiProperty({ type: [IamUserDto] }) users!: IamUserDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string', enum: ALL_PERMISSIONS } },
    description: "Each role's permissions",
  })
  roles!: Record<RoleName, Permission[]>;
  @ApiProperty({ type: [PermissionInfoDto] }) permissions!: PermissionInfoDto[];
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The username acting (exact)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor?: string;

  @ApiPropertyOptional({ description: 'Text in the action (`POST /api/users`)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ description: 'Text in the target' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  target?: string;

  @ApiPropertyOptional({ enum: AUDIT_RESULTS })
  @IsOptional()
  @IsIn(AUDIT_RESULTS)
  result?: AuditResult;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'task_id must be a task id' })
  task_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'From this time (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Until this time (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' })
  to?: string;
}

export class AuditEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The username acting; null for anonymous callers',
  })
  actor!: string | null;
  @ApiProperty({ type: Number, nullable: true }) actor_user_id!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The API token used, if any' })
  token_id!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['session', 'token'] }) via!: 'session' | 'token' | null;
  @ApiProperty({ example: 'POST /api/users' }) action!: string;
  @ApiProperty({ type: String, nullable: true }) target!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Secrets redacted' })
  params!: Record<string, unknown>;
  @ApiProperty() status!: number;
  @ApiProperty({ enum: AUDIT_RESULTS }) result!: AuditResult;
  @ApiProperty({ type: String, nullable: true }) error_code!: string | null;
  @ApiProperty({ type: String, nullable: true }) task_id!: string | null;
  @ApiProperty({ type: [String], description: "The Proxmox UPIDs the task's items recorded" })
  upids!: string[];
  @ApiProperty() ip!: string;

  static from({ entry, upids }: AuditRecord): AuditEntryDto {
    return {
      id: entry.id,
      at: entry.at.toISOString(),
      actor: entry.actorUsername,
      actor_user_id: entry.actorUserId,
      token_id: entry.actorTokenId,
      via: entry.via,
      action: entry.action,
      target: entry.target,
      params: entry.params,
      status: entry.status,
      result: entry.result,
      error_code: entry.errorCode,
      task_id: entry.taskId,
      upids,
      ip: entry.ip,
    };
  }
}

export class AdminSummaryDto {
  @ApiProperty() users_count!: number;
  @ApiProperty() admins_count!: number;
  @ApiProperty() active_sessions!: number;
  @ApiProperty() servers_count!: number;
  @ApiProperty() audit_count!: number;
  @ApiProperty({ type: [AuditEntryDto] }) recent_audit!: AuditEntryDto[];
}

export class TokenListQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: "Everyone's tokens (admin_access)" })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;

  @ApiPropertyOptional({ description: "One user's tokens (admin_access, or oneself)" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  user?: string;
}

export class CreateTokenDto {
  @ApiProperty({ maxLength: 100, example: 'ci-pipeline' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    enum: ALL_PERMISSIONS,
    isArray: true,
    description:
      "Narrows the token to these (each held by the caller). Default: the owner's permissions as they are " +
      'at each use; a token creating a token passes on its own.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  permissions?: string[];

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'In the future' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expires_at must be an ISO 8601 time' })
  expires_at?: string | null;
}

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The owner' }) username!: string;
  @ApiProperty({
    enum: ALL_PERMISSIONS,
    isArray: true,
    nullable: true,
    description: "Null: the owner's permissions at each use",
  })
  permissions!: Permission[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Client address of the last use' })
  last_used_ip!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ description: 'Expired tokens stay listed until revoked' }) expired!: boolean;

  static from({ token, username }: TokenView): TokenDto {
    return {
      id: token.id,
      name: token.name,
      username,
      permissions: token.permissions,
      expires_at: token.expiresAt?.toISOString() ?? null,
      last_used_at: token.lastUsedAt?.toISOString() ?? null,
      last_used_ip: token.lastUsedIp,
      created_at: token.createdAt.toISOString(),
      expired: token.expiresAt !== null && token.expiresAt.getTime() <= Date.now(),
    };
  }
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({ description: 'The secret, shown this once: send it as `Authorization: Bearer <secret>`' })
  secret!: string;
}

export { UserDto };
