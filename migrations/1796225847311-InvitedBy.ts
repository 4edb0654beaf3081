import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * memberships.invited_by: who sent the invitation (Invitation.invitedBy). Existing rows are
 * filled from the audit log: inviteUsers writes its entry (actor, target) in the transaction
 * that sets invited_at, so the entry whose time equals invited_at is that invitation's. Rows
 * with no such entry (founders, the demo, operators' additions) stay null.
 */
export class InvitedBy1796225847311 implements MigrationInterface {
  name = 'InvitedBy1796225847311';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "memberships" ADD "invited_by" uuid`);
    await q.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_53f232a87d8aebb77ba3bece65a" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `UPDATE "memberships" m SET "invited_by" = e.actor_id
         FROM (SELECT DISTINCT ON (a.workspace_id, a.target_id) a.workspace_id, a.target_id, a.actor_id, a.at
                 FROM "audit_log" a JOIN "users" u ON u.id = a.actor_id
                WHERE a.action = 'inviteUsers' AND a.target_type = 'WorkspaceUser'
                ORDER BY a.workspace_id, a.target_id, a.id DESC) e
        WHERE e.workspace_id = m.workspace_id AND e.target_id = m.user_id::text AND e.at = m.invited_at`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_53f232a87d8aebb77ba3bece65a"`);
    await q.query(`ALTER TABLE "memberships" DROP COLUMN "invited_by"`);
  }
}
