import type { ErrorCode } from '@proxdeck/contracts';
import { AppError } from './app-error';

export interface ErrorEnvelope {
  success: false;
  error: string;
  code: ErrorCode;
  details?: Record<string, unknown>;
  request_id: string;
}

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** True for failures that are our bug: logged with their stack. */
  unexpected: boolean;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

interface HttpExceptionLike {
  getStatus(): number;
  getResponse(): unknown;
}

function isHttpException(error: unknown): error is HttpExceptionLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Partial<HttpExceptionLike>).getStatus === 'function' &&
    typeof (error as Partial<HttpExceptionLike>).getResponse === 'function'
  );
}

const FASTIFY_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Request body exceeds 1 MiB',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported content type: send application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'Body is empty but content-type is JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Invalid Content-Length' },
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'DEPENDENCY_UNAVAILABLE',
};

/** Maps anything thrown while handling a request to the error envelope and its status. */
export function toErrorEnvelope(error: unknown, requestId: string): MappedError {
  const build = (
    status: number,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    headers: Record<string, string> = {},
    unexpected = false,
  ): MappedError => ({
    status,
    body: { success: false, error: message, code, ...(details ? { details } : {}), request_id: requestId },
    headers,
    unexpected,
  });

  if (error instanceof AppError) {
    return build(error.status, error.code, error.message, error.details, error.headers ?? {});
  }
  const fastifyError = error as FastifyLikeError | null;
  if (fastifyError?.code !== undefined) {
    const known = FASTIFY_ERRORS[fastifyError.code];
    if (known) return build(known.status, known.code, known.message);
  }
  if (error instanceof SyntaxError && fastifyError?.statusCode === 400) {
    return build(400, 'BAD_REQUEST', `Malformed JSON body: ${error.message}`);
  }
  if (isHttpException(error)) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof response === 'object' && response !== null && 'message' in response
          ? String(response.message)
          : 'Request failed';
    if (status === 404)
      return build(404, 'NOT_FOUND', message.startsWith('Cannot ') ? 'No such route' : message);
    return build(
      status,
      STATUS_CODES[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR'),
      message,
      undefined,
      {},
      status >= 500,
    );
  }
  if (
    fastifyError?.statusCode !== undefined &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return build(
      fastifyError.statusCode,
      STATUS_CODES[fastifyError.statusCode] ?? 'BAD_REQUEST',
      fastifyError.message ?? 'Bad request',
    );
  }
  return build(
    500,
    'INTERNAL_ERROR',
    'Internal error; quote the request id when reporting it',
    undefined,
    {},
    true,
  );
}
