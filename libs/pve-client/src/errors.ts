/** Errors raised by the PVE client. Each carries what PVE said, so callers never parse strings twice. */

/** PVE answered with a non-2xx status. `message` is the reason phrase, or the body's `message` when richer. */
export class PveApiError extends Error {
  override readonly name = 'PveApiError';
  constructor(
    /** HTTP status (400 parameter, 401 auth, 403 permission, 500 handler error, 501, 595/596 proxy). */
    readonly status: number,
    message: string,
    /** Per-parameter messages of a 400 `Parameter verification failed.` answer. */
    readonly errors: Readonly<Record<string, string>> = {},
    readonly method = '',
    readonly path = '',
  ) {
    super(message);
  }

  /**
   * For a 403 `Permission check failed (<path>, <privs>)`: the path and the privilege (or the `|`-separated
   * privileges, one of which would do) the credentials lack.
   */
  get missingPrivilege(): { path: string; privileges: string[] } | undefined {
    if (this.status !== 403) return undefined;
    const m = /^Permission check failed \((\/[^,]*), ([A-Za-z.|]+)\)$/.exec(this.message);
    return m?.[1] && m[2] ? { path: m[1], privileges: m[2].split('|') } : undefined;
  }

  /** PVE's flock timeout (`can't lock file '…' - got timeout`): nothing was applied, so a retry is safe. */
  get isLockTimeout(): boolean {
    return isLockTimeoutMessage(this.message);
  }
}

/** The request never got an HTTP answer (connection refused, TLS failure, reset). */
export class PveTransportError extends Error {
  override readonly name = 'PveTransportError';
  constructor(
    message: string,
    /** True when the failure happened before any byte of the request was sent (safe to retry). */
    readonly beforeSend: boolean,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No answer within the configured timeout. The request may have been applied. */
export class PveTimeoutError extends Error {
  override readonly name = 'PveTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly method: string,
    readonly path: string,
  ) {
    super(`PVE request ${method} ${path} timed out after ${timeoutMs} ms`);
  }
}

/** A followed task ended with an error exit status. */
export class PveTaskFailedError extends Error {
  override readonly name = 'PveTaskFailedError';
  constructor(
    readonly upid: string,
    readonly exitstatus: string,
    readonly logTail: readonly string[],
  ) {
    super(`task ${upid} failed: ${exitstatus}`);
  }
}

export function isLockTimeoutMessage(message: string): boolean {
  return /^can't lock file '.*' - got timeout/.test(message);
}
