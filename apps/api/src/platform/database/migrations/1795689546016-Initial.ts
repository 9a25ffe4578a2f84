import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795689546016 implements MigrationInterface {
  name = 'Initial1795689546016';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "users" ("id" SERIAL NOT NULL, "username" character varying(64) NOT NULL, "name" character varying(200) NOT NULL DEFAULT \'\', "email" character varying(320), "password_hash" character varying(255) NOT NULL, "role" character varying(32) NOT NULL, "permissions" text array NOT NULL DEFAULT \'{}\', "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_login_at" TIMESTAMP WITH TIME ZONE, "password_changed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "users_username_key" ON "users" ("username") ');
    await queryRunner.query(
      'CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" integer NOT NULL, "name" character varying(100) NOT NULL, "token_hash" character(64) NOT NULL, "permissions" text array, "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" ("token_hash") ',
    );
    await queryRunner.query(
      'CREATE TABLE "tasks" ("id" uuid NOT NULL, "type" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "progress" smallint NOT NULL DEFAULT \'0\', "message" text, "items" jsonb NOT NULL DEFAULT \'[]\', "payload" jsonb NOT NULL DEFAULT \'{}\', "result" jsonb, "error" text, "attempts" smallint NOT NULL DEFAULT \'0\', "created_by" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "tasks_status_idx" ON "tasks" ("status") ');
    await queryRunner.query(
      'CREATE INDEX "tasks_created_by_created_at_idx" ON "tasks" ("created_by", "created_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_b74883f5884a42fd8496d389b25"');
    await queryRunner.query('DROP INDEX "public"."tasks_created_by_created_at_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_status_idx"');
    await queryRunner.query('DROP TABLE "tasks"');
    await queryRunner.query('DROP INDEX "public"."api_tokens_token_hash_key"');
    await queryRunner.query('DROP INDEX "public"."api_tokens_user_id_idx"');
    await queryRunner.query('DROP TABLE "api_tokens"');
    await queryRunner.query('DROP INDEX "public"."users_username_key"');
    await queryRunner.query('DROP TABLE "users"');
  }
}
