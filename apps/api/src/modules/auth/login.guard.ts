import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { createValidationPipe } from '../../platform/errors/validation';
import { UnauthenticatedError } from '../../platform/errors/app-error';
import { assertSameSite } from '../../platform/http/same-site';
import { LoginDto } from './auth.dto';
import { AuthService } from './auth.service';

/**
 * Refuses logins another site sends, validates the body strictly (unknown fields are 400), then runs
 * Passport's local strategy (throttled in AuthService).
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  constructor(private readonly auth: AuthService) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertSameSite(request);
    this.auth.shedLogin(request.ip, (request.body as { username?: unknown } | undefined)?.username);
    await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error instanceof Error ? error : new Error('Authentication failed');
    if (!user) throw new UnauthenticatedError('Invalid username or password', 'INVALID_CREDENTIALS');
    return user;
  }
}
