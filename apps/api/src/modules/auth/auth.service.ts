import { Injectable } from '@nestjs/common';
import { passwordPolicyProblem, UsersService } from '../users';
import { UnauthenticatedError, ValidationFailedError } from '../../platform/errors/app-error';
import { LoginThrottle } from './login-throttle';
import type { AuthUser, Principal } from '../../platform/access/principal';
import { SessionStore, type ActiveSession, type SessionMeta } from '../../platform/access/session.store';

/** Login, logout and password changes: the use cases behind the auth routes. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Checks credentials under the throttle; one message for unknown users and wrong passwords. */
  async authenticate(username: string, password: string): Promise<AuthUser> {
    await this.throttle.assertAllowed(username);
    const user = await this.users.verifyCredentials(username, password);
    if (!user) {
      await this.throttle.recordFailure(username);
      throw new UnauthenticatedError('Invalid username or password', 'INVALID_CREDENTIALS');
    }
    await this.throttle.reset(username);
    return user;
  }

  async startSession(user: AuthUser, meta: SessionMeta): Promise<{ secret: string; session: ActiveSession }> {
    const started = await this.sessions.create(user.id, meta);
    await this.users.recordLogin(user.id);
    return started;
  }

  async endSession(principal: Principal): Promise<void> {
    if (principal.session) await this.sessions.revoke(principal.session.id, principal.user.id);
  }

  refresh(sessionId: string): Promise<ActiveSession | null> {
    return this.sessions.refresh(sessionId);
  }

  listSessions(userId: number): Promise<ActiveSession[]> {
    return this.sessions.listForUser(userId);
  }

  /** Changes the caller's password and ends their other sessions. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<number> {
    if (!(await this.users.verifyPassword(principal.user.id, currentPassword))) {
      throw new ValidationFailedError({ current_password: 'is not your current password' });
    }
    const problem = passwordPolicyProblem(newPassword, principal.user.username);
    if (problem) throw new ValidationFailedError({ new_password: problem });
    await this.users.setPassword(principal.user.id, newPassword);
    return this.sessions.revokeAllForUser(principal.user.id, principal.session?.id);
  }
}
