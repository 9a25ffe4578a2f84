import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Alerts1796087568363 implements MigrationInterface {
  name = 'Alerts1796087568363';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "alerts" ("id" SERIAL NOT NULL, "key" character varying(128) NOT NULL, "type" character varying(32) NOT NULL, "level" character varying(16) NOT NULL, "server" character varying(63), "message" text NOT NULL, "value" jsonb, "threshold" double precision, "status" character varying(16) NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" character varying(150), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "alerts_status_id_idx" ON "alerts" ("status", "id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "alerts_open_key_idx" ON "alerts" ("key") WHERE status IN (\'active\', \'acknowledged\')',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."alerts_open_key_idx"');
    await queryRunner.query('DROP INDEX "public"."alerts_status_id_idx"');
    await queryRunner.query('DROP TABLE "alerts"');
  }
}
