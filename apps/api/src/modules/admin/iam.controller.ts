import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ALL_PERMISSIONS, PERMISSIONS, ROLE_NAMES, ROLE_PERMISSIONS } from '@proxdeck/contracts';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { SessionStore } from '../../platform/access/session.store';
import { AuditTrail } from '../../platform/audit/audit-trail';
import { WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { UserAccounts } from '../users';
import { ServersRepository } from '../servers';
import {
  AdminSummaryDto,
  AuditEntryDto,
  IamDataDto,
  SetPermissionsDto,
  SetRoleDto,
  UserDto,
} from './admin.dto';
import { AdministrationService } from './administration.service';

/** IAM (docs/api.md §11): who holds which role and permissions, and the administration summary. */
@ApiTags('administration')
@Controller('api')
export class IamController {
  constructor(
    private readonly admin: AdministrationService,
    private readonly accounts: UserAccounts,
    private readonly sessions: SessionStore,
    private readonly audit: AuditTrail,
    private readonly servers: ServersRepository,
  ) {}

  @Get(['iam/data', 'admin/iam'])
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: "Every user's role and permissions, the roles' presets and the permission catalogue",
  })
  @ApiEnvelope(IamDataDto)
  async data(): Promise<IamDataDto> {
    const users = await this.accounts.all();
    return {
      users: users.map((user) => ({
        username: user.username,
        name: user.name,
        role: user.role,
        permissions: [...user.permissions],
        is_active: user.isActive,
      })),
      roles: Object.fromEntries(
        ROLE_NAMES.map((role) => [role, [...ROLE_PERMISSIONS[role]]]),
      ) as IamDataDto['roles'],
      permissions: ALL_PERMISSIONS.map((name) => ({ name, description: PERMISSIONS[name] })),
    };
  }

  @Post(['iam/:username/permissions', 'admin/iam/:username/permissions'])
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: "Set a user's permissions",
    description:
      'Known names only (400 names the unknown ones); only permissions the caller holds can be added; never ' +
      "one's own (403); never leaving no administrator (409). Effective at once on every instance.",
  })
  @ApiEnvelope(UserDto)
  async setPermissions(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
    @Body() body: SetPermissionsDto,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.setPermissions(principal, username, body.permissions);
    return new WithMessage(UserDto.from(user), `Permissions of ${user.username} set`);
  }

  @Post(['iam/:username/role', 'admin/iam/:username/role'])
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: "Set a user's role",
    description:
      "The permissions become the role's unless keep_permissions; never one's own (403); never leaving no " +
      'administrator (409).',
  })
  @ApiEnvelope(UserDto)
  async setRole(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
    @Body() body: SetRoleDto,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.setRole(principal, username, body.role, body.keep_permissions ?? false);
    return new WithMessage(UserDto.from(user), `Role of ${user.username} set to ${user.role}`);
  }

  @Get('admin')
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'The administration summary: counts and the latest audit entries' })
  @ApiEnvelope(AdminSummaryDto)
  async summary(): Promise<AdminSummaryDto> {
    const counts = await this.accounts.counts();
    const byStatus = await this.servers.countsByStatus();
    const recent = await this.audit.page({}, 1, 10);
    return {
      users_count: counts.users,
      admins_count: counts.admins,
      active_sessions: await this.sessions.countActive(),
      servers_count: [...byStatus.values()].reduce((sum, count) => sum + count, 0),
      audit_count: await this.audit.count(),
      recent_audit: recent.items.map((record) => AuditEntryDto.from(record)),
    };
  }
}
