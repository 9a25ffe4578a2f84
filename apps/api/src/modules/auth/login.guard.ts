import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { createValidationPipe } from '../../platform/errors/validation';
import { UnauthenticatedError } from '../../platform/errors/app-error';
import { LoginDto } from './auth.dto';

/** Validates the login body strictly (unknown fields are 400), then runs Passport's local strategy. */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error instanceof Error ? error : new Error('Authentication failed');
    if (!user) throw new UnauthenticatedError('Invalid username or password', 'INVALID_CREDENTIALS');
    return user;
  }
}
