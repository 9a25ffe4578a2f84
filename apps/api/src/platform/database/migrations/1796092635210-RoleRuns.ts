import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RoleRuns1796092635210 implements MigrationInterface {
  name = 'RoleRuns1796092635210';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "role_runs" ("id" SERIAL NOT NULL, "server" character varying(63) NOT NULL, "role" character varying(64) NOT NULL, "action" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "variables" jsonb NOT NULL DEFAULT \'{}\', "task_id" uuid, "address" character varying(64), "exit_code" integer, "error" text, "log" text NOT NULL DEFAULT \'\', "created_by" integer, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_39964a3341026a34d7a39848eca" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "role_runs_server_id_idx" ON "role_runs" ("server", "id") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."role_runs_server_id_idx"');
    await queryRunner.query('DROP TABLE "role_runs"');
  }
}
