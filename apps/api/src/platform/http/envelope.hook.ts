import type { FastifyInstance, preSerializationHookHandler } from 'fastify';
import { toSuccessEnvelope } from './envelope';
import { RAW_RESPONSE } from './raw-response.decorator';
import { appendRouteHook } from './route-hooks';

const envelope: preSerializationHookHandler = (_request, reply, payload, done) => {
  if (reply.statusCode >= 400) done(null, payload);
  else done(null, toSuccessEnvelope(payload, reply));
};

/**
 * Puts every successful JSON answer in the success envelope, in Fastify's preSerialization hook rather than
 * a Nest interceptor: a global interceptor cost four fifths of the throughput (rxjs and async resources per
 * request; see `npm run bench`). The hook is attached to each route as it is registered, except to routes
 * marked @RawResponse(), which write their own answers. Errors (status ≥ 400) are enveloped by the exception
 * filter. Must be registered before the routes are.
 */
export function registerEnvelopeHook(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const config = route.config as Record<string, unknown> | undefined;
    if (config?.[RAW_RESPONSE] === true) return;
    appendRouteHook(route, 'preSerialization', envelope);
  });
}
