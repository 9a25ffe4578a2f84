import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const KEY_NAME = 'secret-box';
const VERSION = 'v1';

/**
 * Seals secrets that must wait outside the database for a worker (a role run's secret variables in Redis, whose
 * append-only file would otherwise keep them in clear on disk): AES-256-GCM under a key of this installation kept
 * in Postgres (`installation_keys`), made by the first process that needs it. A sealed text reveals nothing without
 * the database, and a changed one is refused.
 */
@Injectable()
export class SecretBox {
  private key: Promise<Buffer> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  async seal(plain: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.installationKey(), iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The text `seal` was given; throws when `sealed` was not made by this installation's key or was changed. */
  async open(sealed: string): Promise<string> {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined)
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await this.installationKey(),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The key, read once per process; the first process of the installation makes it (the others read that one). */
  private installationKey(): Promise<Buffer> {
    this.key ??= (async () => {
      await this.dataSource.query(
        'INSERT INTO installation_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
        [KEY_NAME, randomBytes(32)],
      );
      const rows = await this.dataSource.query<{ key: Buffer }[]>(
        'SELECT key FROM installation_keys WHERE name = $1',
        [KEY_NAME],
      );
      const key = rows[0]?.key;
      if (key?.length !== 32) throw new Error('the installation key secret-box is missing or damaged');
      return key;
    })();
    this.key.catch(() => {
      this.key = null;
    });
    return this.key;
  }
}
