import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserDto } from '../users';
import { SessionCookie } from '../../platform/access/session-cookie';
import { AppError, UnauthenticatedError } from '../../platform/errors/app-error';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { ERROR_ENVELOPE_SCHEMA } from '../../platform/openapi/error-envelope.schema';
import { WithMessage, toSuccessEnvelope } from '../../platform/http/envelope';
import { SpaFallback } from '../../platform/web/spa-fallback';
import { Authenticated, Public } from '../../platform/access/access.decorators';
import {
  ChangePasswordDto,
  LoginDto,
  LoginResultDto,
  ProfileDto,
  SessionCheckDto,
  SessionRefreshDto,
  UserInfoDto,
} from './auth.dto';
import { AuthService } from './auth.service';
import { LoginGuard } from './login.guard';
import { LoginShedder } from './login.shedder';
import { ShedWith } from '../../platform/http/load-shedding';
import { CurrentPrincipal, type AuthUser, type Principal } from '../../platform/access/principal';
import type { ActiveSession } from '../../platform/access/session.store';

/** Login, logout, session and profile routes (docs/api.md §2), with their compatibility aliases. */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: SessionCookie,
    private readonly spa: SpaFallback,
  ) {}

  @Get('login')
  @Public()
  @ApiOperation({ summary: "The SPA's login page (HTML)" })
  async loginPage(@Res() reply: FastifyReply): Promise<void> {
    await this.spa.send(reply);
  }

  @Post('login')
  @HttpCode(200)
  @Public()
  @ShedWith(LoginShedder)
  @UseGuards(LoginGuard)
  @ApiOperation({ summary: 'Log in: sets the session cookie and returns the CSRF token' })
  @ApiEnvelope(LoginResultDto)
  @ApiTooManyRequestsResponse({
    description: 'Too many failures for this username; see Retry-After',
    schema: ERROR_ENVELOPE_SCHEMA,
  })
  async login(
    @Body() _body: LoginDto,
    @Req() request: FastifyRequest & { user: AuthUser },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResultDto> {
    const { secret, session } = await this.auth.startSession(request.user, {
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? '',
    });
    this.cookie.set(reply, secret, request.protocol === 'https');
    return {
      user: UserDto.from(request.user),
      csrf_token: session.csrfToken,
      expires_at: iso(session.expiresAt),
    };
  }

  @Post('logout')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ summary: 'End the session' })
  @ApiEnvelope(null)
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WithMessage<null>> {
    await this.auth.endSession(principal);
    this.cookie.clear(reply);
    return new WithMessage(null, 'Logged out');
  }

  @Get('logout')
  @Public()
  @ApiOperation({ summary: 'End the session; browsers (Accept: text/html) are sent to /login' })
  async logoutByLink(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (request.principal) await this.auth.endSession(request.principal);
    this.cookie.clear(reply);
    if ((request.headers.accept ?? '').includes('text/html')) {
      await reply.redirect('/login', 303);
      return;
    }
    await reply.send(toSuccessEnvelope(new WithMessage(null, 'Logged out')).body);
  }

  @Post('change-password')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ summary: "Change one's password; ends one's other sessions" })
  @ApiEnvelope(null)
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<WithMessage<null>> {
    const ended = await this.auth.changePassword(principal, body.current_password, body.new_password);
    return new WithMessage(null, `Password changed; ${ended} other session(s) ended`);
  }

  @Get(['api/session/check', 'session/check'])
  @Public()
  @ApiOperation({
    summary:
      'Whether the caller is logged in; when not, 401 with the error envelope and details.authenticated false',
  })
  @ApiEnvelope(SessionCheckDto)
  sessionCheck(@Req() request: FastifyRequest): SessionCheckDto {
    const principal = request.principal;
    if (!principal) throw new AppError('UNAUTHENTICATED', 'Not logged in', { authenticated: false });
    return {
      authenticated: true,
      user: UserDto.from(principal.user),
      ...(principal.session
        ? { csrf_token: principal.session.csrfToken, expires_at: iso(principal.session.expiresAt) }
        : {}),
    };
  }

  @Post(['api/session/refresh', 'session/refresh'])
  @HttpCode(200)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ summary: 'Extend the idle timeout' })
  @ApiEnvelope(SessionRefreshDto)
  async refresh(@CurrentPrincipal() principal: Principal): Promise<SessionRefreshDto> {
    const session = principal.session ? await this.auth.refresh(principal.session.id) : null;
    if (!session) throw new UnauthenticatedError('Session expired or ended; log in again', 'SESSION_EXPIRED');
    return { expires_at: iso(session.expiresAt) };
  }

  @Get('api/current-user')
  @Authenticated()
  @ApiOperation({ summary: 'The caller' })
  @ApiEnvelope(UserDto)
  currentUser(@CurrentPrincipal() principal: Principal): UserDto {
    return UserDto.from(principal.user);
  }

  @Get('api/profile')
  @Authenticated()
  @ApiOperation({ summary: 'The caller and their active sessions' })
  @ApiEnvelope(ProfileDto)
  async profile(@CurrentPrincipal() principal: Principal): Promise<ProfileDto> {
    const sessions = await this.auth.listSessions(principal.user.id);
    // A copy of the user's fields: the DTO itself is shared between answers (and frozen).
    const user: Omit<ProfileDto, 'sessions'> = UserDto.from(principal.user);
    return { ...user, sessions: sessions.map((session) => toSessionSummary(session, principal.session?.id)) };
  }

  @Get('api/debug/user-info')
  @Authenticated()
  @ApiOperation({ summary: "The caller's user, effective permissions and session times" })
  @ApiEnvelope(UserInfoDto)
  userInfo(@CurrentPrincipal() principal: Principal): UserInfoDto {
    const session = principal.session;
    return {
      user: UserDto.from(principal.user),
      effective_permissions: [...principal.permissions],
      authenticated_via: principal.via,
      session: session
        ? {
            created_at: iso(session.createdAt),
            last_seen_at: iso(session.lastSeenAt),
            expires_at: iso(session.expiresAt),
            absolute_expires_at: iso(session.absoluteExpiresAt),
          }
        : null,
    };
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function toSessionSummary(session: ActiveSession, currentId: string | undefined) {
  return {
    id: session.id.slice(0, 16),
    current: session.id === currentId,
    ip: session.ip,
    user_agent: session.userAgent,
    created_at: iso(session.createdAt),
    last_seen_at: iso(session.lastSeenAt),
    expires_at: iso(session.expiresAt),
  };
}
