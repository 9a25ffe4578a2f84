import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ServerEvents1796082530689 implements MigrationInterface {
  name = 'ServerEvents1796082530689';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "server_events" ("id" BIGSERIAL NOT NULL, "server_name" character varying(63) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "action" character varying(32) NOT NULL, "outcome" character varying(16) NOT NULL, "actor" character varying(64), "detail" text NOT NULL DEFAULT \'\', "task_id" uuid, CONSTRAINT "PK_6584ac6021ec232942b3ec5a0e7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "server_events_server_at_idx" ON "server_events" ("server_name", "at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."server_events_server_at_idx"');
    await queryRunner.query('DROP TABLE "server_events"');
  }
}
