import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/** argon2id hashing (api.md §1.3). */
export const passwordHasher = {
  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  },
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
  /** A password for people: 20 characters from an alphabet without look-alikes. */
  generate(): string {
    const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    return Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
  },
};

/** The password policy of api.md §2: at least 10 characters, not the username. Returns the problem or null. */
export function passwordPolicyProblem(password: string, username: string): string | null {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the username';
  return null;
}
