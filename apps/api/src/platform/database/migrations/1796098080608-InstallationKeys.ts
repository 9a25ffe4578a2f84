import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InstallationKeys1796098080608 implements MigrationInterface {
  name = 'InstallationKeys1796098080608';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "installation_keys" ("name" character varying(64) NOT NULL, "key" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_702058fe84bd391b7ee366f7309" PRIMARY KEY ("name"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "installation_keys"');
  }
}
