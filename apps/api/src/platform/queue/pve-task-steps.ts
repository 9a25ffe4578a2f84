import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { PveApiError, PveTaskFailedError, parseUpid } from '@proxdeck/pve-client';
import { AppConfig } from '../config/app-config';
import { ProxmoxConnection } from '../proxmox/proxmox-connection';
import type { PveTaskOutcome } from './job-context';

/** Proxmox's lock errors (docs/pve-semantics.md §3, §6): nothing was done, and the same call may succeed later. */
export function isPveLockError(text: string): boolean {
  return /can't lock file '[^']*' - got timeout|VM is locked \(/.test(text);
}

/** A followed Proxmox task ended with an error: the message is Proxmox's own text. */
export class ProxmoxTaskError extends PveTaskFailedError {
  constructor(upid: string, exitstatus: string, logTail: readonly string[]) {
    super(upid, exitstatus, logTail);
    const parsed = parseUpid(upid);
    this.message = parsed
      ? `Proxmox task ${parsed.type} ${parsed.id} on ${parsed.node} failed: ${exitstatus}`
      : `Proxmox task failed: ${exitstatus}`;
  }
}

/**
 * Proxmox refused a call (403) for a privilege the configured credentials lack: says which, on which path, and
 * where the setup that grants it is described.
 */
export class ProxmoxPermissionError extends Error {
  override readonly name = 'ProxmoxPermissionError';
  constructor(
    readonly path: string,
    readonly privileges: readonly string[],
  ) {
    super(
      `Proxmox refused: the configured credentials lack ${privileges.join(' or ')} on ${path} ` +
        '(README, "Least privilege on Proxmox")',
    );
  }
}

const LOG_TAIL_LINES = 20;

/**
 * Following Proxmox tasks for jobs: through the cluster's one task watcher (whose polls read no task logs), a
 * log read only when a task failed or a caller asks, and lock errors told apart so that they can be retried.
 */
@Injectable()
export class PveTaskSteps {
  constructor(
    private readonly proxmox: ProxmoxConnection,
    private readonly config: AppConfig,
  ) {}

  get lockRetries(): number {
    return this.config.values.PVE_LOCK_RETRIES;
  }

  /** Waits for a task; resolves when it succeeded, throws ProxmoxTaskError with Proxmox's text otherwise. */
  async follow(upid: string, options: { log?: boolean } = {}): Promise<PveTaskOutcome> {
    const pve = this.proxmox.pve();
    const result = await pve.waitForTask(upid, { timeoutMs: this.config.values.TASK_TIMEOUT_S * 1000 });
    if (!result.ok)
      throw new ProxmoxTaskError(upid, result.exitstatus, await this.logOf(upid, LOG_TAIL_LINES));
    return { upid, exitstatus: result.exitstatus, ...(options.log ? { log: await this.logOf(upid) } : {}) };
  }

  /** Whether a failure (at the call, or as a task's exit status) is a lock that may clear. */
  isLockFailure(error: unknown): boolean {
    if (error instanceof PveTaskFailedError) return isPveLockError(error.exitstatus);
    if (error instanceof PveApiError) return error.isLockTimeout || isPveLockError(error.message);
    return false;
  }

  /** A 403 becomes a ProxmoxPermissionError naming the missing privilege; anything else stays as it is. */
  explain(error: unknown): unknown {
    const missing = error instanceof PveApiError ? error.missingPrivilege : undefined;
    return missing ? new ProxmoxPermissionError(missing.path, missing.privileges) : error;
  }

  /** Backoff before lock retry `attempt` (1-based): the base delay doubled each time, with jitter. */
  async lockBackoff(attempt: number): Promise<void> {
    const base = this.config.values.PVE_LOCK_RETRY_DELAY_MS * 2 ** (attempt - 1);
    await delay(base / 2 + Math.random() * (base / 2));
  }

  /** Runs a synchronous Proxmox call (a PUT config, an unlink) again on lock errors, with the same backoff. */
  async retryOnLock<R>(call: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!this.isLockFailure(error) || attempt > this.lockRetries) throw error;
        await this.lockBackoff(attempt);
      }
    }
  }

  private async logOf(upid: string, lastLines?: number): Promise<string[]> {
    try {
      const { lines } = await this.proxmox.pve().taskLog(upid, { start: 0, limit: 0 });
      const texts = lines.map((line) => line.t);
      return lastLines === undefined ? texts : texts.slice(-lastLines);
    } catch {
      return [];
    }
  }
}
