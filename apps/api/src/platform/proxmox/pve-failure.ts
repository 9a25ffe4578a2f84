import { PveApiError, PveTimeoutError, PveTransportError } from '@proxdeck/pve-client';
import { AppError, DependencyUnavailableError } from '../errors/app-error';

/**
 * What a failed Proxmox call means to an API caller (docs/api.md §1.2): Proxmox answering with an error is a
 * 502 `PVE_ERROR` with `details.pve` (its status and message); Proxmox not answering is a 503. Anything else
 * is returned unchanged (a bug: a logged 500).
 */
export function pveFailure(error: unknown): unknown {
  if (error instanceof PveApiError)
    return new AppError('PVE_ERROR', `Proxmox answered ${String(error.status)}: ${error.message}`, {
      pve: { status: error.status, message: error.message },
    });
  if (error instanceof PveTransportError || error instanceof PveTimeoutError)
    return new DependencyUnavailableError('Proxmox', error.message);
  return error;
}

/** Whether a Proxmox error says a VM (its config file) does not exist: it was destroyed, or never was. */
export function isVmGone(error: unknown): boolean {
  return error instanceof PveApiError && error.status === 500 && error.message.includes('does not exist');
}
