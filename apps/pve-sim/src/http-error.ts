/**
 * Errors a handler raises, shaped like PVE's (pve-common Exception.pm): the status, the message (its first
 * line becomes the reason phrase) and, for parameter errors, the per-parameter `errors` map.
 */
export class PveHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
    /** Auth-stage 401s carry no body at all. */
    readonly emptyBody = false,
  ) {
    super(message);
  }
}

/** `die "…"` in a PVE handler: HTTP 500 with the message. */
export function pveDie(message: string): PveHttpError {
  return new PveHttpError(500, message);
}

/** `raise_param_exc`: HTTP 400 `Parameter verification failed.` with the errors map. */
export function paramError(errors: Record<string, string>): PveHttpError {
  return new PveHttpError(400, 'Parameter verification failed.', errors);
}

/** `raise_perm_exc`: HTTP 403 `Permission check failed (<path>, <priv>)`. */
export function permissionError(detail?: string): PveHttpError {
  return new PveHttpError(
    403,
    detail === undefined ? 'Permission check failed' : `Permission check failed (${detail})`,
  );
}
