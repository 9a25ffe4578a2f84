import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's own notifications and their read and hidden marks go with the user (deleted with them): until now
 * they stayed behind, addressed to nobody. Those already left behind are deleted before the keys are added.
 */
export class NotificationsFollowTheirUser1796105533664 implements MigrationInterface {
  name = 'NotificationsFollowTheirUser1796105533664';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DELETE FROM "notification_states" s WHERE NOT EXISTS (SELECT 1 FROM "users" u WHERE u."id" = s."user_id")',
    );
    await queryRunner.query(
      'DELETE FROM "notifications" n WHERE n."recipient_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" u WHERE u."id" = n."recipient_id")',
    );
    await queryRunner.query(
      'ALTER TABLE "notifications" ADD CONSTRAINT "FK_5332a4daa46fd3f4e6625dd275d" FOREIGN KEY ("recipient_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "notification_states" ADD CONSTRAINT "FK_68c0fb79b17b3a38c597760f2dc" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "notification_states" DROP CONSTRAINT "FK_68c0fb79b17b3a38c597760f2dc"',
    );
    await queryRunner.query('ALTER TABLE "notifications" DROP CONSTRAINT "FK_5332a4daa46fd3f4e6625dd275d"');
  }
}
