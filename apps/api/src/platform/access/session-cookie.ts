import { Injectable } from '@nestjs/common';
import { serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';

/**
 * The session cookie, read and written without a cookie plugin: only this one cookie matters to Proxdeck,
 * so it is found in the Cookie header where it is needed (the access guard) instead of every request's
 * cookies being parsed by a hook. HttpOnly, SameSite=Lax, Secure over HTTPS (docs/api.md §1.3).
 */
@Injectable()
export class SessionCookie {
  readonly name: string;
  private readonly prefix: string;
  private readonly maxAgeS: number;

  constructor(config: AppConfig) {
    this.name = config.values.SESSION_COOKIE_NAME;
    this.prefix = `${this.name}=`;
    this.maxAgeS = config.values.SESSION_MAX_AGE_S;
  }

  /** The session secret the request carries, if any. */
  read(request: Pick<FastifyRequest, 'headers'>): string | undefined {
    return readCookie(request.headers.cookie, this.prefix);
  }

  set(reply: FastifyReply, secret: string, secure: boolean): void {
    this.append(
      reply,
      serialize(this.name, secret, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: this.maxAgeS,
      }),
    );
  }

  clear(reply: FastifyReply): void {
    this.append(
      reply,
      serialize(this.name, '', {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        maxAge: 0,
        expires: new Date(0),
      }),
    );
  }

  private append(reply: FastifyReply, cookie: string): void {
    const existing = reply.getHeader('set-cookie');
    const all = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    void reply.header('set-cookie', [...all, cookie]);
  }
}

/** The value of the cookie `prefix` (`name=`) in a Cookie header, URI-decoded when it needs to be. */
export function readCookie(header: string | undefined, prefix: string): string | undefined {
  if (!header) return undefined;
  let at = 0;
  while (at < header.length) {
    while (header.charCodeAt(at) === 32 /* space */) at += 1;
    const end = header.indexOf(';', at);
    const stop = end === -1 ? header.length : end;
    if (header.startsWith(prefix, at)) {
      let value = header.slice(at + prefix.length, stop).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (!value.includes('%')) return value;
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
    at = stop + 1;
  }
  return undefined;
}
