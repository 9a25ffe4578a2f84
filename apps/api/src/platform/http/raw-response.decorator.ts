import { RouteConfig } from '@nestjs/platform-fastify';

export const RAW_RESPONSE = 'proxdeckRawResponse';

declare module 'fastify' {
  interface FastifyContextConfig {
    proxdeckRawResponse?: boolean;
  }
}

/** The handler writes its own response (HTML, SSE, Prometheus text, a ready-made envelope): no envelope. */
export const RawResponse = (): MethodDecorator => RouteConfig({ [RAW_RESPONSE]: true });
