import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TaskCancel1796074290148 implements MigrationInterface {
  name = 'TaskCancel1796074290148';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "tasks" ADD "cancel_requested_at" TIMESTAMP WITH TIME ZONE');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "tasks" DROP COLUMN "cancel_requested_at"');
  }
}
