import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log stays append-only, with one exception: rows older than 30 days may be deleted, and only by a
 * transaction that says it is pruning (`SET LOCAL proxdeck.audit_prune = 'on'`, as AuditTrail.pruneBefore
 * does). A mistaken DELETE, an UPDATE or a TRUNCATE is still refused, whatever the retention setting says.
 */
export class AuditRetention1796092390744 implements MigrationInterface {
  name = 'AuditRetention1796092390744';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE'
            AND current_setting('proxdeck.audit_prune', true) = 'on'
            AND OLD.at < now() - interval '30 days' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$`,
    );
  }
}
