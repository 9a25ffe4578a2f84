import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLogAndTokenUse1796084833056 implements MigrationInterface {
  name = 'AuditLogAndTokenUse1796084833056';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" integer, "actor_username" character varying(64), "actor_token_id" uuid, "via" character varying(8), "action" character varying(200) NOT NULL, "target" character varying(300), "params" jsonb NOT NULL DEFAULT \'{}\', "status" smallint NOT NULL, "result" character varying(16) NOT NULL, "error_code" character varying(64), "task_id" uuid, "ip" character varying(64) NOT NULL, "request_id" character varying(64) NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "audit_log_task_id_idx" ON "audit_log" ("task_id") ');
    await queryRunner.query('CREATE INDEX "audit_log_actor_idx" ON "audit_log" ("actor_username", "at") ');
    await queryRunner.query('CREATE INDEX "audit_log_at_idx" ON "audit_log" ("at") ');
    await queryRunner.query('ALTER TABLE "api_tokens" ADD "last_used_ip" character varying(64)');
    // Append-only for the application: rows can be added and read, never changed or removed.
    await queryRunner.query(
      `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$`,
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()',
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "audit_log_no_truncate" ON "audit_log"');
    await queryRunner.query('DROP TRIGGER "audit_log_no_update_delete" ON "audit_log"');
    await queryRunner.query('DROP FUNCTION audit_log_append_only()');
    await queryRunner.query('ALTER TABLE "api_tokens" DROP COLUMN "last_used_ip"');
    await queryRunner.query('DROP INDEX "public"."audit_log_at_idx"');
    await queryRunner.query('DROP INDEX "public"."audit_log_actor_idx"');
    await queryRunner.query('DROP INDEX "public"."audit_log_task_id_idx"');
    await queryRunner.query('DROP TABLE "audit_log"');
  }
}
