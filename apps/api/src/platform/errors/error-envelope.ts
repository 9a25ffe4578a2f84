import { ERROR_STATUS, errorCodeForStatus, type ErrorCode } from '@proxdeck/contracts';
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

/** Fastify's own errors (body parsing, routing), each with our code and a message for people. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds 1 MiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported content type: send application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_REQUEST', message: 'Body is empty but content-type is JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'Invalid Content-Length' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', message: 'Malformed JSON body' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', message: 'A path segment is too long' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: 'The URL is not valid' },
};

/** Maps anything thrown while handling a request to the error envelope and its status. */
export function toErrorEnvelope(error: unknown, requestId: string): MappedError {
  const build = (
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    headers: Record<string, string> = {},
    unexpected = false,
  ): MappedError => ({
    status: ERROR_STATUS[code],
    body: { success: false, error: message, code, ...(details ? { details } : {}), request_id: requestId },
    headers,
    unexpected,
  });

  if (error instanceof AppError) return build(error.code, error.message, error.details, error.headers ?? {});
  const fastifyError = error as FastifyLikeError | null;
  if (fastifyError?.code !== undefined) {
    const known = FASTIFY_ERRORS[fastifyError.code];
    if (known) return build(known.code, known.message);
  }
  if (error instanceof SyntaxError && fastifyError?.statusCode === 400) {
    return build('BAD_REQUEST', `Malformed JSON body: ${error.message}`);
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
    if (status === 404) return build('NOT_FOUND', message.startsWith('Cannot ') ? 'No such route' : message);
    return build(errorCodeForStatus(status), message, undefined, {}, status >= 500);
  }
  const status = fastifyError?.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return build(errorCodeForStatus(status), fastifyError?.message ?? 'Bad request');
  }
  return build(
    'INTERNAL_ERROR',
    'Internal error; quote the request id when reporting it',
    undefined,
    {},
    true,
  );
}
