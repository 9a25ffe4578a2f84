import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import type { AuthUser } from '../../platform/access/principal';
import { AuthService } from './auth.service';

/** Passport's username/password strategy behind POST /login. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: FastifyRequest, username: string, password: string): Promise<AuthUser> {
    return this.auth.authenticate(username, password, request.ip);
  }
}
