import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';
import { SecretBox } from '../../platform/secrets/secret-box';

/** How long the secret variables of a queued run wait for it (and for a retry of its task). */
const KEEP_S = 24 * 3_600;

/**
 * The secret variables of role runs, kept apart from the task record (whose payload is stored and shown): in
 * Redis, by task and server, for at most a day, read by the worker that runs the role and removed when the run
 * succeeds; sealed with the installation's key (SecretBox), so that Redis (and its append-only file on disk)
 * never holds them in clear. Never written to Postgres, logs, events or the audit trail.
 */
@Injectable()
export class RoleSecrets {
  constructor(
    private readonly redis: RedisService,
    private readonly box: SecretBox,
  ) {}

  async keep(taskId: string, server: string, secrets: Readonly<Record<string, string>>): Promise<void> {
    if (Object.keys(secrets).length === 0) return;
    const key = this.key(taskId, server);
    const sealed = await this.box.seal(JSON.stringify(secrets));
    await this.redis.client.multi().set(key, sealed).expire(key, KEEP_S).exec();
  }

  /** The secrets kept for this task's run on `server`; null when none were kept or they expired. */
  async read(taskId: string, server: string): Promise<Record<string, string> | null> {
    const sealed = await this.redis.client.get(this.key(taskId, server));
    return sealed === null ? null : (JSON.parse(await this.box.open(sealed)) as Record<string, string>);
  }

  async forget(taskId: string, server: string): Promise<void> {
    await this.redis.client.del(this.key(taskId, server));
  }

  private key(taskId: string, server: string): string {
    return this.redis.key('role-secrets', taskId, server);
  }
}
