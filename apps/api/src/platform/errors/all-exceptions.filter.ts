import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorEnvelope } from './error-envelope';
import type { SpaFallback } from '../web/spa-fallback';

/** The one place where failures become HTTP responses (docs/api.md §1.1–1.2). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly spa: SpaFallback | null) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = toErrorEnvelope(exception, request.id);

    if (mapped.status === 404 && this.spa?.accepts(request)) {
      void this.spa.send(reply);
      return;
    }
    if (mapped.unexpected) {
      this.logger.error(
        `${request.method} ${request.url} failed (request ${request.id})`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (reply.sent) return;
    void reply.status(mapped.status).headers(mapped.headers).send(mapped.body);
  }
}
