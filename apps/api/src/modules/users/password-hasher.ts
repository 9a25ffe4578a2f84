import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { AppConfig } from '../../platform/config/app-config';
import { ServiceBusyError } from '../../platform/errors/app-error';

/**
 * argon2id with OWASP's recommended minimum (Password Storage Cheat Sheet): 19 MiB of memory, 2 passes, one
 * lane. About 30 ms per hash on one core here; the memory cost is what makes guessing on GPUs expensive.
 * Hashes made with other parameters (older installs) are upgraded at the next successful login.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** argon2id hashing (docs/api.md §1.3), without a concurrency bound: for the seed and the CLI. */
export const passwordHasher = {
  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  },
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
  /** Whether a stored hash was made with other parameters than ARGON2_OPTIONS. */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  },
  /** A password for people: 20 characters from an alphabet without look-alikes. */
  generate(): string {
    const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    return Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
  },
};

/**
 * Password hashing on the request path, bounded: at most LOGIN_CONCURRENT_HASHES hashes run at once in this
 * process and as many again may wait; beyond that the caller gets 503 at once. argon2 runs on libuv's thread
 * pool (4 threads), which also reads the SPA's files: a burst of logins must not take all of it, nor build a
 * queue that makes every request wait.
 */
@Injectable()
export class PasswordHashing {
  private readonly limit: number;
  private readonly maxWaiting: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(config: AppConfig) {
    this.limit = config.values.LOGIN_CONCURRENT_HASHES;
    this.maxWaiting = this.limit * 2;
  }

  /** Hashes running now (for tests and metrics). */
  get active(): number {
    return this.running;
  }

  /** Throws ServiceBusyError when a check now would be refused: lets callers refuse before any other work. */
  assertRoom(): void {
    if (this.running >= this.limit && this.waiting.length >= this.maxWaiting) throw this.busy();
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => passwordHasher.hash(password));
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.bounded(() => passwordHasher.verify(hash, password));
  }

  private busy(): ServiceBusyError {
    return new ServiceBusyError('Too many password checks at once; try again in a moment');
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw this.busy();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.running -= 1;
    }
  }
}

/** The password policy of docs/api.md §2: at least 10 characters, not the username. Returns the problem or null. */
export function passwordPolicyProblem(password: string, username: string): string | null {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the username';
  return null;
}
