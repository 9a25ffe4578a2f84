import type { INestApplicationContext } from '@nestjs/common';
import { SessionStore } from '../../src/platform/access/session.store';
import { AppConfig } from '../../src/platform/config/app-config';

export interface TestSession {
  /** The session's public id (SHA-256 of the cookie secret). */
  id: string;
  csrfToken: string;
  /** `name=value`, ready for a Cookie header. */
  cookie: string;
}

/**
 * Sessions made directly in the session store, without a login: no password hashing, no throttle. For tests
 * about what a session may do rather than how one is obtained (those log in through /login).
 */
export const SessionFactory = {
  async create(
    app: INestApplicationContext,
    userId: number,
    meta: { ip?: string; userAgent?: string } = {},
  ): Promise<TestSession> {
    const { secret, session } = await app
      .get(SessionStore)
      .create(userId, { ip: meta.ip ?? '127.0.0.1', userAgent: meta.userAgent ?? 'jest' });
    const cookieName = app.get(AppConfig).values.SESSION_COOKIE_NAME;
    return { id: session.id, csrfToken: session.csrfToken, cookie: `${cookieName}=${secret}` };
  },
};
