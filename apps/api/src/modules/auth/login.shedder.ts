import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestShedder } from '../../platform/http/load-shedding';
import { AuthService } from './auth.service';

/**
 * Refuses a login the moment it arrives when the answer is already known without reading it: its address is
 * blocked, or no password check could run now. A burst of wrong logins then costs others almost nothing.
 */
@Injectable()
export class LoginShedder implements RequestShedder {
  constructor(private readonly auth: AuthService) {}

  shed(request: FastifyRequest): void {
    this.auth.shedLogin(request.ip, undefined);
  }
}
