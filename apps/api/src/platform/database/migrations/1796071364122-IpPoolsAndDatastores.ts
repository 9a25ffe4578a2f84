import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IpPoolsAndDatastores1796071364122 implements MigrationInterface {
  name = 'IpPoolsAndDatastores1796071364122';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "ip_pools" ("id" SERIAL NOT NULL, "bridge" character varying(15) NOT NULL, "cidr" character varying(18) NOT NULL, "gateway" character varying(15) NOT NULL, "range_start" character varying(15) NOT NULL, "range_end" character varying(15) NOT NULL, "dns" character varying(15) array NOT NULL DEFAULT \'{}\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b02072d25407b853dafa93ca8a1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ip_pools_bridge_idx" ON "ip_pools" ("bridge") ');
    await queryRunner.query(
      'CREATE TABLE "ip_allocations" ("id" SERIAL NOT NULL, "pool_id" integer, "address" character varying(15) NOT NULL, "prefix" smallint NOT NULL, "gateway" character varying(15) NOT NULL, "bridge" character varying(15) NOT NULL, "owner" character varying(128) NOT NULL, "nic" smallint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9795db112e20a9230600f380ee5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ip_allocations_pool_id_idx" ON "ip_allocations" ("pool_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ip_allocations_owner_nic_key" ON "ip_allocations" ("owner", "nic") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ip_allocations_address_key" ON "ip_allocations" ("address") ',
    );
    await queryRunner.query(
      'CREATE TABLE "datastores" ("key" character varying(200) NOT NULL, "storage" character varying(100) NOT NULL, "node" character varying(100), "type" character varying(32) NOT NULL, "content" character varying(32) array NOT NULL, "shared" boolean NOT NULL, "active" boolean NOT NULL, "total_bytes" bigint NOT NULL, "used_bytes" bigint NOT NULL, "avail_bytes" bigint NOT NULL, "refreshed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_7b6e8d0d8fb11f50100944f0f3e" PRIMARY KEY ("key"))',
    );
    await queryRunner.query('CREATE INDEX "datastores_storage_idx" ON "datastores" ("storage") ');
    await queryRunner.query(
      'CREATE TABLE "datastore_defaults" ("disk_type" character varying(8) NOT NULL, "storage" character varying(100) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_55898feb3f6ab57537da8f1db16" PRIMARY KEY ("disk_type"))',
    );
    await queryRunner.query(
      'ALTER TABLE "ip_allocations" ADD CONSTRAINT "FK_de1230776ab2e253068fdc47c85" FOREIGN KEY ("pool_id") REFERENCES "ip_pools"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "ip_allocations" DROP CONSTRAINT "FK_de1230776ab2e253068fdc47c85"');
    await queryRunner.query('DROP TABLE "datastore_defaults"');
    await queryRunner.query('DROP INDEX "public"."datastores_storage_idx"');
    await queryRunner.query('DROP TABLE "datastores"');
    await queryRunner.query('DROP INDEX "public"."ip_allocations_address_key"');
    await queryRunner.query('DROP INDEX "public"."ip_allocations_owner_nic_key"');
    await queryRunner.query('DROP INDEX "public"."ip_allocations_pool_id_idx"');
    await queryRunner.query('DROP TABLE "ip_allocations"');
    await queryRunner.query('DROP INDEX "public"."ip_pools_bridge_idx"');
    await queryRunner.query('DROP TABLE "ip_pools"');
  }
}
