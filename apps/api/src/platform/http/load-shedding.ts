import type { Type } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorEnvelope } from '../errors/error-envelope';
import { appendRouteHook } from './route-hooks';

/**
 * Refuses a request as soon as it arrives (throwing an AppError), before its body is read and before any
 * guard, pipe or handler runs: for routes that a flood can make expensive (login). Provided by a module.
 */
export interface RequestShedder {
  shed(request: FastifyRequest): void;
}

const SHED_WITH = 'proxdeckShedWith';

declare module 'fastify' {
  interface FastifyContextConfig {
    proxdeckShedWith?: Type<RequestShedder>;
  }
}

/** Runs `shedder` (a provider) in the route's onRequest hook. */
export const ShedWith = (shedder: Type<RequestShedder>): MethodDecorator =>
  RouteConfig({ [SHED_WITH]: shedder });

/** Attaches the shedders of routes marked @ShedWith as they are registered; `resolve` finds the provider. */
export function registerLoadShedding(
  fastify: FastifyInstance,
  resolve: (type: Type<RequestShedder>) => RequestShedder,
): void {
  fastify.addHook('onRoute', (route) => {
    const type = route.config?.[SHED_WITH];
    if (!type) return;
    let shedder: RequestShedder | undefined;
    appendRouteHook(route, 'onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      shedder ??= resolve(type);
      try {
        shedder.shed(request);
      } catch (error) {
        const mapped = toErrorEnvelope(error, request.id);
        void reply.status(mapped.status).headers(mapped.headers).send(mapped.body);
        return;
      }
      done();
    });
  });
}
