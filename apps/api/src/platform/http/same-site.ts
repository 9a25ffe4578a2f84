import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors/app-error';

/**
 * Refuses a request another site made the browser send (login CSRF: a foreign page posting a login form so
 * that the victim works in the attacker's account). Browsers say so in `Sec-Fetch-Site`; older ones send an
 * `Origin` that is not this host. Requests without either (scripts, API clients) are not browsers' and pass.
 */
export function assertSameSite(request: FastifyRequest): void {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new ForbiddenError('Refused: the request comes from another site', undefined, 'CROSS_SITE_REQUEST');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = origin === 'null' ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== request.host) {
    throw new ForbiddenError(
      `Refused: the request comes from ${origin}, not from this site`,
      undefined,
      'CROSS_SITE_REQUEST',
    );
  }
}
