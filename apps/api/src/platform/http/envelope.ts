import type { FastifyReply } from 'fastify';

/** Values a handler may return that shape the success envelope (api.md §1.1). */
export interface Pagination {
  page: number;
  per_page: number;
  total: number;
  pages: number;
}

/** A page of a list: becomes `{success, data: items, pagination}`. */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly pagination: Pagination,
  ) {}

  static of<T>(items: T[], total: number, page: number, perPage: number): Page<T> {
    return new Page(items, {
      page,
      per_page: perPage,
      total,
      pages: Math.max(1, Math.ceil(total / perPage)),
    });
  }
}

/** A result with a human message: `{success, data, message}`. */
export class WithMessage<T> {
  constructor(
    readonly data: T,
    readonly message: string,
  ) {}
}

/** A queued task: 202 `{success, data: {task_id, status: 'queued'}, message}`. */
export class TaskAccepted {
  constructor(
    readonly taskId: string,
    readonly message: string,
  ) {}
}

/** Wraps a handler's return value in the success envelope; a queued task also sets 202. */
export function toSuccessEnvelope(
  value: unknown,
  reply: Pick<FastifyReply, 'code'>,
): Record<string, unknown> {
  if (value instanceof Page) return { success: true, data: value.items, pagination: value.pagination };
  if (value instanceof WithMessage) {
    const withMessage: WithMessage<unknown> = value;
    return { success: true, data: withMessage.data, message: withMessage.message };
  }
  if (value instanceof TaskAccepted) {
    void reply.code(202);
    return { success: true, data: { task_id: value.taskId, status: 'queued' }, message: value.message };
  }
  return { success: true, data: value ?? null };
}
