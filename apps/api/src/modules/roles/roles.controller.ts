import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import type { Page, TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { SERVER_NAME } from '../servers';
import {
  ReplacingAssignRoleDto,
  BulkAssignRoleDto,
  DryRunDto,
  RoleDto,
  RoleRunDto,
  RoleRunsQueryDto,
  RoleValidationDto,
} from './roles.dto';
import { RolesService } from './roles.service';

function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

/** Ansible roles: the catalogue, assignment, removal, dry runs and the runs' history (docs/api.md §6, §15). */
@ApiTags('roles')
@Controller('api')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get('roles/available')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'The roles Proxdeck ships (ansible/roles), each with its labels, descriptions, supported OS and variables; a role whose meta/proxdeck.yml is incomplete is left out (GET /api/roles/validate/{role_name} says why)',
  })
  @ApiEnvelope([RoleDto])
  async available(): Promise<RoleDto[]> {
    return this.roles.available();
  }

  @Get('roles/validate/:role_name')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'Whether a role exists, its metadata is complete and it passes ansible-playbook --syntax-check (cached until its files change)',
  })
  @ApiEnvelope(RoleValidationDto)
  async validate(@Param('role_name') name: string): Promise<RoleValidationDto> {
    return this.roles.validate(name);
  }

  @Post('assign_role/:server_name')
  @HttpCode(202)
  @RequirePermission('assign_roles')
  @ApiOperation({
    summary:
      'Runs a role on a server with ansible-playbook (a task; its output is kept as a run and streamed as role_run events); the server\'s role is recorded only when the run succeeds. role "" or "none" removes the current role; replace: true first removes another role the server has',
  })
  @ApiTaskAccepted()
  async assign(
    @CurrentPrincipal() principal: Principal,
    @Param('server_name') name: string,
    @Body() body: ReplacingAssignRoleDto,
  ): Promise<TaskAccepted> {
    return this.roles.assign(principal, serverName(name), body);
  }

  @Post('remove_role/:server_name')
  @HttpCode(202)
  @RequirePermission('assign_roles')
  @ApiOperation({
    summary:
      "Unassigns a server's role, running the role's removal tasks where it has them (a task); 409 when it has no role",
  })
  @ApiTaskAccepted()
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('server_name') name: string,
  ): Promise<TaskAccepted> {
    return this.roles.remove(principal, serverName(name));
  }

  @Post('roles/assign_bulk')
  @HttpCode(202)
  @RequirePermission('assign_roles')
  @ApiOperation({
    summary:
      'Runs a role on several servers (a task with an item per server, ROLE_RUN_CONCURRENCY at a time); role "" or "none" removes',
  })
  @ApiTaskAccepted()
  async bulk(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkAssignRoleDto,
  ): Promise<TaskAccepted> {
    return this.roles.bulk(principal, body);
  }

  @Post('roles/dry_run/:server_name')
  @HttpCode(202)
  @RequirePermission('assign_roles')
  @ApiOperation({
    summary:
      "What a role would change on a server (ansible-playbook --check --diff, a task whose log is kept as a run); the server's role is not changed",
  })
  @ApiTaskAccepted()
  async dryRun(
    @CurrentPrincipal() principal: Principal,
    @Param('server_name') name: string,
    @Body() body: DryRunDto,
  ): Promise<TaskAccepted> {
    return this.roles.dryRun(principal, serverName(name), body);
  }

  @Get('roles/runs')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'Role runs, newest first, with their logs; filters server, role, status, task_id',
  })
  @ApiListEnvelope(RoleRunDto)
  async runs(@Query() query: RoleRunsQueryDto): Promise<Page<RoleRunDto>> {
    return this.roles.listRuns(query);
  }

  @Get('roles/runs/:run_id')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'One role run with its whole log (secret values masked)' })
  @ApiEnvelope(RoleRunDto)
  async run(
    @Param('run_id', new ParseIntPipe({ errorHttpStatusCode: HttpStatus.NOT_FOUND })) id: number,
  ): Promise<RoleRunDto> {
    if (id < 1 || id > 2_147_483_647) throw new NotFoundError(`Role run ${String(id)}`);
    return this.roles.run(id);
  }
}
