/** Values a handler may return that shape the success envelope (docs/api.md §1.1). */
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

/**
 * A page whose items are JSON text already (a list the database wrote as JSON, for speed): becomes the same
 * `{success, data: items, pagination}` as a Page, without parsing and writing the items again.
 */
export class JsonTextPage {
  constructor(
    readonly itemsJson: string,
    readonly pagination: Pagination,
  ) {}

  static of(itemsJson: string, total: number, page: number, perPage: number): JsonTextPage {
    return new JsonTextPage(itemsJson, Page.of([], total, page, perPage).pagination);
  }

  toJson(): string {
    return `{"success":true,"data":${this.itemsJson},"pagination":${JSON.stringify(this.pagination)}}`;
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

/**
 * A handler's return value as the success envelope, and the status a queued task is answered with (202).
 * Anything a handler returns is enveloped, nothing and plain strings included.
 */
export function toSuccessEnvelope(value: unknown): { status?: number; body: Record<string, unknown> } {
  if (value instanceof Page) {
    return { body: { success: true, data: value.items, pagination: value.pagination } };
  }
  if (value instanceof WithMessage) {
    const withMessage: WithMessage<unknown> = value;
    return { body: { success: true, data: withMessage.data, message: withMessage.message } };
  }
  if (value instanceof TaskAccepted) {
    return {
      status: 202,
      body: { success: true, data: { task_id: value.taskId, status: 'queued' }, message: value.message },
    };
  }
  return { body: { success: true, data: value ?? null } };
}
