import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1796066139266 implements MigrationInterface {
  name = 'Notifications1796066139266';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "notifications" ("id" SERIAL NOT NULL, "type" character varying(64) NOT NULL, "severity" character varying(16) NOT NULL, "title" character varying(200) NOT NULL, "message" text NOT NULL, "details" jsonb, "task_id" uuid, "server" character varying(63), "recipient_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "notifications_created_at_idx" ON "notifications" ("created_at") ');
    await queryRunner.query(
      'CREATE INDEX "notifications_recipient_id_id_idx" ON "notifications" ("recipient_id", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "notification_states" ("notification_id" integer NOT NULL, "user_id" integer NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, "hidden_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_84259a57dcebe77e5b8a03febef" PRIMARY KEY ("notification_id", "user_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "notification_states" ADD CONSTRAINT "FK_d5947be1c8ddf16bd27b47d05fd" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "notification_states" DROP CONSTRAINT "FK_d5947be1c8ddf16bd27b47d05fd"',
    );
    await queryRunner.query('DROP TABLE "notification_states"');
    await queryRunner.query('DROP INDEX "public"."notifications_recipient_id_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_created_at_idx"');
    await queryRunner.query('DROP TABLE "notifications"');
  }
}
