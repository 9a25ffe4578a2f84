/** The wire: undici with TLS verification (optionally against a CA file), timeouts and error classification. */
import { Agent, request } from 'undici';
import { PveTimeoutError, PveTransportError } from './errors';

export interface PveHttpResponse {
  status: number;
  /** The HTTP reason phrase: PVE puts the first line of its error message here. */
  statusText: string;
  body: string;
}

export interface PveHttpRequest {
  method: string;
  url: string;
  /** For error messages: the API path without the base URL. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface PveHttpTransportOptions {
  tlsVerify: boolean;
  /** PEM text of the CA (or self-signed certificate) to trust in addition to none. */
  ca?: string;
}

/** Errors where the connection was never established: nothing was sent, a retry cannot apply anything twice. */
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** TLS failures happen before the request is sent too, but retrying them cannot succeed. */
const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export function isTlsErrorCode(code: string | undefined): boolean {
  return code !== undefined && TLS_ERROR_CODES.has(code);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== error) return errorCode(cause);
  }
  return undefined;
}

export class PveHttpTransport {
  private readonly dispatcher: Agent;

  constructor(options: PveHttpTransportOptions) {
    this.dispatcher = new Agent({
      connect: {
        rejectUnauthorized: options.tlsVerify,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      },
      keepAliveTimeout: 10_000,
    });
  }

  async send(req: PveHttpRequest): Promise<PveHttpResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, req.timeoutMs);
    try {
      const response = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body ?? null,
        signal: controller.signal,
        dispatcher: this.dispatcher,
      });
      const body = await response.body.text();
      return { status: response.statusCode, statusText: response.statusText, body };
    } catch (error) {
      if (controller.signal.aborted) throw new PveTimeoutError(req.timeoutMs, req.method, req.path);
      const code = errorCode(error);
      const beforeSend = code !== undefined && (CONNECT_ERROR_CODES.has(code) || TLS_ERROR_CODES.has(code));
      const message = error instanceof Error ? error.message : String(error);
      throw new PveTransportError(`${req.method} ${req.path}: ${message}`, beforeSend, code, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
