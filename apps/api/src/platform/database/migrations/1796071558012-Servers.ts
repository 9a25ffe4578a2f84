import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Servers1796071558012 implements MigrationInterface {
  name = 'Servers1796071558012';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "servers" ("id" SERIAL NOT NULL, "name" character varying(63) NOT NULL, "vmid" integer, "node" character varying(64), "status" character varying(16) NOT NULL, "origin" character varying(16) NOT NULL DEFAULT \'created\', "cpu_cores" smallint NOT NULL, "memory_mb" integer NOT NULL, "disks" jsonb NOT NULL DEFAULT \'[]\', "networks" jsonb NOT NULL DEFAULT \'[]\', "ip_addresses" text array NOT NULL DEFAULT \'{}\', "os_type" character varying(32), "template_vmid" integer, "role" character varying(64), "firewall_group" character varying(18), "tags" text array NOT NULL DEFAULT \'{}\', "description" text NOT NULL DEFAULT \'\', "live" jsonb, "error" text, "created_by" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_synced_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c0947efd9f3db2dcc010164d20b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "servers_name_key" ON "servers" ("name") ');
    await queryRunner.query('CREATE UNIQUE INDEX "servers_vmid_key" ON "servers" ("vmid") ');
    await queryRunner.query('CREATE INDEX "servers_node_idx" ON "servers" ("node") ');
    await queryRunner.query('CREATE INDEX "servers_status_idx" ON "servers" ("status") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."servers_status_idx"');
    await queryRunner.query('DROP INDEX "public"."servers_node_idx"');
    await queryRunner.query('DROP INDEX "public"."servers_vmid_key"');
    await queryRunner.query('DROP INDEX "public"."servers_name_key"');
    await queryRunner.query('DROP TABLE "servers"');
  }
}
