import { MigrationInterface, QueryRunner } from 'typeorm';
import { queryRows } from '../src/database/sql';

/**
 * The rules of "one rule everywhere" (PERMISSIONS.md):
 * - names compare after NFKC, trimming and case folding: groups, project tags and issue tags get
 *   a name_key column that the unique indexes hold; names that now compare equal to an earlier
 *   one are renamed "<name> (2)", "(3)", ..., with an audit entry each;
 * - a removed person's membership has status REMOVED (and removed_at, as before);
 * - a job remembers who cancelled it (cancelled_by);
 * - TASKERs manage no group: existing TASKER managers are taken off, with an audit entry each.
 * down() restores the old schema; REMOVED people read JOINED again (removed_at still set) and
 * the managers taken off stay off.
 */

/** The key names compare by, as the code computed it when this migration was written (frozen here). */
const nameKey = (name: string) => name.normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');

type Row = { id: string; workspace_id: string; project_id?: string | null; name: string };

export class RulesEverywhere1796134004507 implements MigrationInterface {
  name = 'RulesEverywhere1796134004507';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."groups_workspace_name_key"`);
    await q.query(`DROP INDEX "public"."issue_tags_workspace_name_key"`);
    await q.query(`DROP INDEX "public"."issue_tags_project_name_key"`);
    await q.query(`DROP INDEX "public"."project_tags_workspace_name_key"`);
    for (const table of ['groups', 'issue_tags', 'project_tags']) await q.query(`ALTER TABLE "${table}" ADD "name_key" text`);

    await this.keyNames(q, 'groups', 'Group', (r) => [r.workspace_id]);
    await this.keyNames(q, 'project_tags', 'ProjectTag', (r) => [r.workspace_id]);
    // An issue tag's name is unique among the tags one project sees: the workspace's and its own.
    await this.keyNames(q, 'issue_tags', 'IssueTag', (r) => (r.project_id ? [`${r.workspace_id}/${r.project_id}`, r.workspace_id] : [r.workspace_id]));
    for (const table of ['groups', 'issue_tags', 'project_tags']) await q.query(`ALTER TABLE "${table}" ALTER COLUMN "name_key" SET NOT NULL`);

    await q.query(`UPDATE "memberships" SET "status" = 'REMOVED' WHERE "removed_at" IS NOT NULL`);
    await q.query(`ALTER TABLE "memberships" ADD CONSTRAINT "memberships_removed_check" CHECK (("status" = 'REMOVED') = ("removed_at" IS NOT NULL))`);

    await q.query(`ALTER TABLE "jobs" ADD "cancelled_by" uuid`);
    await q.query(
      `ALTER TABLE "jobs" ADD CONSTRAINT "FK_0b1000d1a7f101e0c21641a27ed" FOREIGN KEY ("cancelled_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );

    const takenOff = await queryRows<{ group_id: string; user_id: string; workspace_id: string }>(
      q,
      `DELETE FROM "group_managers" gm USING "groups" g, "memberships" m
        WHERE g.id = gm.group_id AND m.workspace_id = g.workspace_id AND m.user_id = gm.user_id AND m.role = 'TASKER'
        RETURNING gm.group_id, gm.user_id, g.workspace_id`,
    );
    for (const row of takenOff) {
      await q.query(
        `INSERT INTO "audit_log" (workspace_id, actor_id, action, target_type, target_id, details) VALUES ($1, NULL, 'removeGroupManagers', 'Group', $2, $3::jsonb)`,
        [row.workspace_id, row.group_id, JSON.stringify({ userIds: [row.user_id], via: 'migration', reason: 'a TASKER manages no group' })],
      );
    }

    await q.query(`CREATE UNIQUE INDEX "groups_workspace_name_key" ON "groups"  ("workspace_id", "name_key") `);
    await q.query(`CREATE UNIQUE INDEX "issue_tags_project_name_key" ON "issue_tags"  ("project_id", "name_key") WHERE "project_id" IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "issue_tags_workspace_name_key" ON "issue_tags"  ("workspace_id", "name_key") WHERE "project_id" IS NULL`);
    await q.query(`CREATE UNIQUE INDEX "project_tags_workspace_name_key" ON "project_tags"  ("workspace_id", "name_key") `);
  }

  /**
   * Fills name_key, oldest first: a name whose key is taken in one of its scopes (scopesOf: the
   * first is where it claims its key) becomes "<name> (n)" with the first n that is free.
   */
  private async keyNames(q: QueryRunner, table: string, targetType: string, scopesOf: (row: Row) => string[]): Promise<void> {
    const rows: Row[] = await q.query(`SELECT * FROM "${table}" ORDER BY ${table === 'issue_tags' ? 'project_id NULLS FIRST, ' : ''}created_at, id`);
    const taken = new Map<string, Set<string>>();
    const isTaken = (scopes: string[], key: string) => scopes.some((s) => taken.get(s)?.has(key));
    for (const row of rows) {
      const scopes = scopesOf(row);
      let name = row.name;
      for (let n = 2; isTaken(scopes, nameKey(name)); n++) name = `${row.name} (${n})`;
      const key = nameKey(name);
      taken.set(scopes[0], (taken.get(scopes[0]) ?? new Set()).add(key));
      await q.query(`UPDATE "${table}" SET "name" = $2, "name_key" = $3 WHERE id = $1`, [row.id, name, key]);
      if (name !== row.name) {
        await q.query(
          `INSERT INTO "audit_log" (workspace_id, actor_id, action, target_type, target_id, details) VALUES ($1, NULL, 'rename', $2, $3, $4::jsonb)`,
          [row.workspace_id, targetType, row.id, JSON.stringify({ from: row.name, to: name, via: 'migration', reason: 'names compare after NFKC and case folding' })],
        );
      }
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_0b1000d1a7f101e0c21641a27ed"`);
    await q.query(`ALTER TABLE "jobs" DROP COLUMN "cancelled_by"`);
    await q.query(`ALTER TABLE "memberships" DROP CONSTRAINT "memberships_removed_check"`);
    await q.query(`UPDATE "memberships" SET "status" = 'JOINED' WHERE "status" = 'REMOVED'`);
    await q.query(`DROP INDEX "public"."project_tags_workspace_name_key"`);
    await q.query(`DROP INDEX "public"."issue_tags_workspace_name_key"`);
    await q.query(`DROP INDEX "public"."issue_tags_project_name_key"`);
    await q.query(`DROP INDEX "public"."groups_workspace_name_key"`);
    for (const table of ['groups', 'issue_tags', 'project_tags']) await q.query(`ALTER TABLE "${table}" DROP COLUMN "name_key"`);
    await q.query(`CREATE UNIQUE INDEX "groups_workspace_name_key" ON "groups" ("workspace_id", lower(btrim("name")))`);
    await q.query(`CREATE UNIQUE INDEX "project_tags_workspace_name_key" ON "project_tags" ("workspace_id", lower(btrim("name")))`);
    await q.query(`CREATE UNIQUE INDEX "issue_tags_workspace_name_key" ON "issue_tags" ("workspace_id", lower(btrim("name"))) WHERE "project_id" IS NULL`);
    await q.query(`CREATE UNIQUE INDEX "issue_tags_project_name_key" ON "issue_tags" ("project_id", lower(btrim("name"))) WHERE "project_id" IS NOT NULL`);
  }
}
