import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import type { RoleMetadata } from './role-metadata';
import { ROLE_RUN_STATUSES, type RoleRun } from './role-run.entity';

const SERVER_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class RoleVariableDto {
  @ApiProperty({ example: 'web_listen_port' }) name!: string;
  @ApiProperty({ enum: ['string', 'integer', 'boolean', 'list'] }) type!: string;
  @ApiPropertyOptional({
    description: 'Absent when the variable is required or secret',
    oneOf: [
      { type: 'string' },
      { type: 'integer' },
      { type: 'boolean' },
      { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
    ],
  })
  default?: unknown;
  @ApiProperty() required!: boolean;
  @ApiProperty({ description: 'Never stored in clear, masked in logs; has no default' }) secret!: boolean;
  @ApiProperty() description!: string;
  @ApiProperty() description_ko!: string;
}

export class RoleDto {
  @ApiProperty({ example: 'web' }) name!: string;
  @ApiProperty({ example: 'Web server (nginx)' }) label!: string;
  @ApiProperty() label_ko!: string;
  @ApiProperty() description!: string;
  @ApiProperty() description_ko!: string;
  @ApiProperty({ type: [String], example: ['debian', 'ubuntu', 'rocky'] }) os_support!: string[];
  @ApiProperty({ description: 'It has removal tasks (run by POST /api/remove_role)' }) removable!: boolean;
  @ApiProperty({ type: [RoleVariableDto] }) variables!: RoleVariableDto[];

  static of(role: RoleMetadata): RoleDto {
    return {
      ...role,
      os_support: [...role.os_support],
      variables: role.variables.map((variable) => ({ ...variable })),
    };
  }
}

export class RoleValidationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [String] }) errors!: string[];
}

export class AssignRoleDto {
  @ApiProperty({ example: 'web', description: 'A role from /api/roles/available; "" or "none" removes' })
  @IsString()
  @MaxLength(64)
  role!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The role's variables by name; secret ones are never stored in clear",
  })
  @IsOptional()
  @IsObject({ message: 'must be an object of variable values' })
  variables?: Record<string, unknown>;
}

export class DryRunDto extends AssignRoleDto {}

/** An assignment may first remove the role the server has (not for a dry run, which changes nothing). */
export class ReplacingAssignRoleDto extends AssignRoleDto {
  @ApiPropertyOptional({
    default: false,
    description:
      "When the server has another role, run that role's removal tasks first (its service and configuration go), then apply the new one; the old role stays recorded when its removal fails. Without it, the new role is applied over the old one",
  })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  replace?: boolean;
}

export class BulkAssignRoleDto extends ReplacingAssignRoleDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(SERVER_NAME_PATTERN, { each: true, message: 'each must be a server name' })
  server_names!: string[];
}

export class RoleRunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "One server's runs" })
  @IsOptional()
  @IsString()
  @Matches(SERVER_NAME_PATTERN, { message: 'must be a server name' })
  server?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]*$/, { message: 'must be a role name' })
  @MaxLength(64)
  role?: string;

  @ApiPropertyOptional({ enum: ROLE_RUN_STATUSES })
  @IsOptional()
  @IsIn(ROLE_RUN_STATUSES)
  status?: (typeof ROLE_RUN_STATUSES)[number];

  @ApiPropertyOptional({ description: 'The runs of one task' })
  @IsOptional()
  @IsUUID()
  task_id?: string;
}

export class RoleRunDto {
  @ApiProperty() id!: number;
  @ApiProperty() server!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ enum: ['apply', 'remove', 'dry_run'] }) action!: string;
  @ApiProperty({ enum: ROLE_RUN_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true }) task_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The variables given; secret ones as ********',
  })
  variables!: Record<string, unknown>;
  @ApiProperty({ type: Number, nullable: true }) exit_code!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() started_at!: string;
  @ApiProperty({ type: String, nullable: true }) finished_at!: string | null;
  @ApiProperty({ description: "ansible-playbook's whole output, secret values as ********" }) log!: string;

  static of(run: RoleRun): RoleRunDto {
    return {
      id: run.id,
      server: run.server,
      role: run.role,
      action: run.action,
      status: run.status,
      task_id: run.taskId,
      address: run.address,
      variables: run.variables,
      exit_code: run.exitCode,
      error: run.error,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      log: run.log,
    };
  }
}
