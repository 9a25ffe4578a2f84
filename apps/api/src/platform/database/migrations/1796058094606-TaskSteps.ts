import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TaskSteps1796058094606 implements MigrationInterface {
  name = 'TaskSteps1796058094606';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "tasks" ADD "steps" jsonb NOT NULL DEFAULT \'[]\'');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "tasks" DROP COLUMN "steps"');
  }
}
