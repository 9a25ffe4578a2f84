import { PveApiError } from '@proxdeck/pve-client';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { pveFailure } from '../../platform/proxmox/pve-failure';

/**
 * What a refused firewall write means to the caller: Proxmox's parameter errors are a 400 naming the fields
 * (`no such alias 'x'`), a stale digest or a refusal of the current state a 409 with Proxmox's own words, an
 * out-of-range position a 404; the rest as any Proxmox failure (pve-failure.ts).
 */
export function firewallWriteFailure(error: unknown, fieldMap: Record<string, string> = {}): unknown {
  if (!(error instanceof PveApiError)) return pveFailure(error);
  if (error.message.includes('detected modified configuration'))
    return new ConflictError('It changed in Proxmox since it was read: read it again and retry', {
      pve: { status: error.status, message: error.message },
    });
  if (error.status === 400 && Object.keys(error.errors).length > 0)
    return new ValidationFailedError(
      Object.fromEntries(
        Object.entries(error.errors).map(([field, text]) => [fieldMap[field] ?? field, text]),
      ),
    );
  const position = /no rule at position (\d+)/.exec(error.message);
  if (position) return new NotFoundError(`Rule ${position[1] ?? ''}`);
  if (/is not empty|already exists|does already exist|in use/i.test(error.message))
    return new ConflictError(error.message.trim(), { pve: { status: error.status, message: error.message } });
  return pveFailure(error);
}
