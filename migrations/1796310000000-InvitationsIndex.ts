import { MigrationInterface, QueryRunner } from 'typeorm';

/** The daily invitation caps count a workspace's and a person's inviteUsers audit entries of the last 24 hours: indexes of those alone. */
export class InvitationsIndex1796310000000 implements MigrationInterface {
  name = 'InvitationsIndex1796310000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "audit_log_invitations_idx" ON "audit_log" ("workspace_id", "at") WHERE action = 'inviteUsers'`);
    await q.query(`CREATE INDEX "audit_log_invitations_by_actor_idx" ON "audit_log" ("actor_id", "at") WHERE action = 'inviteUsers'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."audit_log_invitations_by_actor_idx"`);
    await q.query(`DROP INDEX "public"."audit_log_invitations_idx"`);
  }
}
