import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { Page, TaskAccepted, WithMessage } from './envelope';
import { RAW_RESPONSE } from './raw-response.decorator';

/** Wraps every handler's return value in the success envelope. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean | undefined>(RAW_RESPONSE, context.getHandler())) return next.handle();
    return next.handle().pipe(
      map((value: unknown) => {
        if (value instanceof Page) return { success: true, data: value.items, pagination: value.pagination };
        if (value instanceof WithMessage) {
          const withMessage: WithMessage<unknown> = value;
          return { success: true, data: withMessage.data, message: withMessage.message };
        }
        if (value instanceof TaskAccepted) {
          void context.switchToHttp().getResponse<FastifyReply>().status(202);
          return { success: true, data: { task_id: value.taskId, status: 'queued' }, message: value.message };
        }
        return { success: true, data: value ?? null };
      }),
    );
  }
}
