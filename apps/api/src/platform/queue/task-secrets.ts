import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** How long a secret waits for its one reader. */
const KEEP_S = 3_600;

const TAKE = `local values = redis.call('hgetall', KEYS[1]) redis.call('del', KEYS[1]) return values`;

/**
 * Secrets a task makes for its creator (a generated VM password) and shows once: kept apart from the task record
 * (which never holds a secret), in Redis for at most an hour, and handed to the creator with the finished task
 * the first time they read it (GET /api/tasks/<id>/status), then gone.
 */
@Injectable()
export class TaskSecrets {
  constructor(private readonly redis: RedisService) {}

  async keep(taskId: string, secrets: ReadonlyMap<string, string>): Promise<void> {
    if (secrets.size === 0) return;
    const key = this.key(taskId);
    await this.redis.client.multi().hset(key, Object.fromEntries(secrets)).expire(key, KEEP_S).exec();
  }

  /** The task's secrets, once: a second call gets null. */
  async take(taskId: string): Promise<Record<string, string> | null> {
    const flat = (await this.redis.client.eval(TAKE, 1, this.key(taskId))) as string[];
    if (flat.length === 0) return null;
    const secrets: Record<string, string> = {};
    for (let index = 0; index + 1 < flat.length; index += 2)
      secrets[flat[index] ?? ''] = flat[index + 1] ?? '';
    return secrets;
  }

  private key(taskId: string): string {
    return this.redis.key('task-secrets', taskId);
  }
}
