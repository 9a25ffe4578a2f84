import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FirewallDrift1796081972112 implements MigrationInterface {
  name = 'FirewallDrift1796081972112';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "firewall_drift" ("server_id" integer NOT NULL, "group_name" character varying(18) NOT NULL, "reason" character varying(32) NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_66783c80b8cb6e9571ccc74436c" PRIMARY KEY ("server_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "firewall_drift" ADD CONSTRAINT "FK_66783c80b8cb6e9571ccc74436c" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "firewall_drift" DROP CONSTRAINT "FK_66783c80b8cb6e9571ccc74436c"');
    await queryRunner.query('DROP TABLE "firewall_drift"');
  }
}
