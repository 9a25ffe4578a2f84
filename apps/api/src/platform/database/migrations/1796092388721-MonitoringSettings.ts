import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MonitoringSettings1796092388721 implements MigrationInterface {
  name = 'MonitoringSettings1796092388721';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "monitoring_settings" ("key" character varying(64) NOT NULL, "value" jsonb, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" character varying(150), CONSTRAINT "PK_e27480e9bf4789e240dbb912361" PRIMARY KEY ("key"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "monitoring_settings"');
  }
}
