import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { Page, WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { CreateUserDto, ResetPasswordDto, UserDto, UserListQueryDto } from './admin.dto';
import { AdministrationService } from './administration.service';

/** Users as administrators manage them (docs/api.md §11 and §15). */
@ApiTags('administration')
@Controller('api')
export class UsersAdminController {
  constructor(private readonly admin: AdministrationService) {}

  @Get(['users', 'admin/users'])
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'Users, by username; `q` searches the username, name and email' })
  @ApiListEnvelope(UserDto)
  async list(@Query() query: UserListQueryDto): Promise<Page<UserDto>> {
    const { items, total } = await this.admin.listUsers(query);
    return Page.of(
      items.map((user) => UserDto.from(user)),
      total,
      query.page,
      query.per_page,
    );
  }

  @Post('users')
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Create a user',
    description:
      "Password: at least 10 characters, not the username. Role: viewer by default; permissions: the role's " +
      'by default, known names only, and only those the caller holds. 409 when the username is taken.',
  })
  @ApiEnvelope(UserDto, 201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateUserDto,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.createUser(principal, body);
    return new WithMessage(UserDto.from(user), `User ${user.username} created`);
  }

  @Delete('users/:username')
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Delete a user: their sessions end and their API tokens are deleted at once',
    description: 'Never oneself (403), never the last administrator (409).',
  })
  @ApiEnvelope(null)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
  ): Promise<WithMessage<null>> {
    const user = await this.admin.deleteUser(principal, username);
    return new WithMessage(null, `User ${user.username} deleted`);
  }

  @Post('users/:username/password')
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: "Set a user's password: their sessions end and their API tokens are revoked",
    description: 'Not for oneself (use POST /change-password).',
  })
  @ApiEnvelope(UserDto)
  async resetPassword(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
    @Body() body: ResetPasswordDto,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.resetPassword(principal, username, body.new_password);
    return new WithMessage(
      UserDto.from(user),
      `Password of ${user.username} set; sessions ended, tokens revoked`,
    );
  }

  @Post('users/:username/deactivate')
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Deactivate a user: their sessions end and their API tokens stop working until activated',
    description: 'Never oneself, never the last administrator (409).',
  })
  @ApiEnvelope(UserDto)
  async deactivate(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.setActive(principal, username, false);
    return new WithMessage(UserDto.from(user), `User ${user.username} deactivated`);
  }

  @Post('users/:username/activate')
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'Activate a user again (their API tokens work again)' })
  @ApiEnvelope(UserDto)
  async activate(
    @CurrentPrincipal() principal: Principal,
    @Param('username') username: string,
  ): Promise<WithMessage<UserDto>> {
    const user = await this.admin.setActive(principal, username, true);
    return new WithMessage(UserDto.from(user), `User ${user.username} activated`);
  }
}
