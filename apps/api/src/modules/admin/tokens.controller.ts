import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { CreateTokenDto, CreatedTokenDto, TokenDto, TokenListQueryDto } from './admin.dto';
import { AdministrationService } from './administration.service';

/** API tokens for integrations (docs/api.md §1.3, §11): one's own, or anyone's with admin_access. */
@ApiTags('tokens')
@Controller('api/tokens')
export class TokensController {
  constructor(private readonly admin: AdministrationService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "The caller's API tokens; `all=true` or `user=<name>` lists others' (admin_access)",
    description: 'Secrets are never listed: they are shown once, at creation.',
  })
  @ApiEnvelope([TokenDto])
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TokenListQueryDto,
  ): Promise<TokenDto[]> {
    return (await this.admin.listTokens(principal, query)).map((view) => TokenDto.from(view));
  }

  @Post()
  @Authenticated()
  @ApiOperation({
    summary: 'Create an API token; its secret is in this answer only',
    description:
      "Optional narrower permissions (each held by the caller: 403 otherwise) and expiry. A token's effective " +
      "permissions are never more than its owner's current ones. Use it as `Authorization: Bearer <secret>` " +
      '(no CSRF token needed).',
  })
  @ApiEnvelope(CreatedTokenDto, 201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateTokenDto,
  ): Promise<WithMessage<CreatedTokenDto>> {
    const { view, secret } = await this.admin.createToken(principal, body);
    return new WithMessage(
      Object.assign(TokenDto.from(view), { secret }),
      `API token ${view.token.name} created; copy its secret now, it is not shown again`,
    );
  }

  @Delete(':id')
  @Authenticated()
  @ApiOperation({
    summary: "Revoke an API token (one's own, or anyone's with admin_access); it stops at once",
  })
  @ApiEnvelope(null)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<WithMessage<null>> {
    const view = await this.admin.revokeToken(principal, id);
    return new WithMessage(null, `API token ${view.token.name} of ${view.username} revoked`);
  }
}
