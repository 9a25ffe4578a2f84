import { Module } from '@nestjs/common';
import { SecretBox } from './secret-box';

/** Sealing secrets that wait outside the database (secret-box.ts). */
@Module({ providers: [SecretBox], exports: [SecretBox] })
export class SecretsModule {}
