import type { FastifyInstance } from 'fastify';
import { toSuccessEnvelope } from './envelope';
import { RAW_RESPONSE } from './raw-response.decorator';

/**
 * Puts every successful JSON answer in the success envelope, in Fastify's preSerialization hook rather than
 * a Nest interceptor: a global interceptor cost four fifths of the throughput (rxjs and async resources per
 * request; see `npm run bench`). Errors (status ≥ 400) are enveloped by the exception filter, and routes
 * marked @RawResponse() write their own answers.
 */
export function registerEnvelopeHook(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 || request.routeOptions.config[RAW_RESPONSE] === true) {
      done(null, payload);
      return;
    }
    done(null, toSuccessEnvelope(payload, reply));
  });
}
