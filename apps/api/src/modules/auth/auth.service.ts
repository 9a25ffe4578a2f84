import { Injectable } from '@nestjs/common';
import { PasswordHashing, passwordPolicyProblem, UsersService } from '../users';
import { UnauthenticatedError, ValidationFailedError } from '../../platform/errors/app-error';
import { LoginThrottle, type ThrottleWindow } from './login-throttle';
import type { AuthUser, Principal } from '../../platform/access/principal';
import { SessionStore, type ActiveSession, type SessionMeta } from '../../platform/access/session.store';

/** Login, logout and password changes: the use cases behind the auth routes. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly hashing: PasswordHashing,
  ) {}

  /**
   * Refuses a login at once, before its body is validated or anything is asked of Redis, when this instance
   * already knows the answer: the address (or username) is blocked, or no password check could run now.
   * Keeps a burst of wrong logins from delaying everyone else's requests.
   */
  shedLogin(address: string, username: unknown): void {
    this.throttle.assertNotBlocked(
      typeof username === 'string'
        ? this.throttle.loginWindows(username, address)
        : [this.throttle.addressWindow(address)],
    );
    this.hashing.assertRoom();
  }

  /**
   * Checks credentials under the throttle (an attempt is reserved for the username and the client address
   * before the password is hashed); one message for unknown users and wrong passwords.
   */
  async authenticate(username: string, password: string, address: string): Promise<AuthUser> {
    const user = await this.throttled(this.throttle.loginWindows(username, address), () =>
      this.users.verifyCredentials(username, password),
    );
    if (!user) throw new UnauthenticatedError('Invalid username or password', 'INVALID_CREDENTIALS');
    return user;
  }

  /**
   * Runs a password check as a reserved attempt: a falsy answer stays counted as a failure, a right one
   * resets the count, and a check that could not run (the server was busy) is given back.
   */
  private async throttled<T>(windows: ThrottleWindow[], check: () => Promise<T>): Promise<T> {
    const attempt = await this.throttle.reserve(windows);
    let outcome: T;
    try {
      outcome = await check();
    } catch (error) {
      await attempt.withdrawn();
      throw error;
    }
    if (outcome) await attempt.succeeded();
    return outcome;
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
    const confirmed = await this.throttled(this.throttle.confirmationWindows(principal.user.id), () =>
      this.users.verifyPassword(principal.user.id, currentPassword),
    );
    if (!confirmed) {
      throw new ValidationFailedError({ current_password: 'is not your current password' });
    }
    const problem = passwordPolicyProblem(newPassword, principal.user.username);
    if (problem) throw new ValidationFailedError({ new_password: problem });
    await this.users.setPassword(principal.user.id, newPassword);
    return this.sessions.revokeAllForUser(principal.user.id, principal.session?.id);
  }
}
