import { randomUUID } from 'node:crypto';
import { isUniqueViolation, queryOne } from '../../database/sql';
import type { Context } from '../../server/context';
import { conflict, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { cleanTagName } from './tag-rules';
import type { CreateIssueTagInput, IssueTag } from './tag.types';

/**
 * Issue tags: workspace-level ones (workspace ADMINs) and a project's own (workspace ADMINs and
 * that project's ADMINs); the rules createIssueTag and deleteIssueTag check who.
 *
 * A name is unique among the tags one project sees: the workspace's and its own. The partial
 * unique indexes hold each level on its own; across the levels (a project tag may not shadow a
 * workspace tag, a workspace tag may not collide with any project's tag) every creator takes
 * one transaction-scoped advisory lock per workspace, then checks, then inserts. An advisory
 * lock rather than the workspace row's: a row lock would also hold up job events (which bump a
 * counter on that row) and, FOR UPDATE, every insert that references the workspace.
 */
export async function createIssueTag(ctx: Context, input: CreateIssueTagInput): Promise<IssueTag> {
  const name = cleanTagName(input.name);
  const tag: IssueTag = {
    id: randomUUID(),
    name,
    workspaceId: input.workspaceId.toLowerCase(),
    projectId: input.projectId ? input.projectId.toLowerCase() : null,
  };
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('issue_tags'), hashtext($1))`, [tag.workspaceId]);
      const clash = await queryOne<{ id: string; name: string; projectId: string | null; projectName: string | null }>(
        tx,
        `SELECT t.id, t.name, t.project_id AS "projectId", r.name AS "projectName"
           FROM issue_tags t LEFT JOIN resources r ON r.id = t.project_id
          WHERE t.workspace_id = $1 AND lower(btrim(t.name)) = lower(btrim($2))
            AND ($3::uuid IS NULL OR t.project_id IS NULL OR t.project_id = $3::uuid)
          ORDER BY t.project_id NULLS FIRST
          LIMIT 1`,
        [tag.workspaceId, name, tag.projectId],
      );
      if (clash) throw clashError(clash);
      await tx.query(`INSERT INTO issue_tags (id, workspace_id, project_id, name) VALUES ($1, $2, $3, $4)`, [
        tag.id,
        tag.workspaceId,
        tag.projectId,
        name,
      ]);
      await audit(tx, {
        workspaceId: tag.workspaceId,
        actorId: ctx.viewer!.userId,
        action: 'createIssueTag',
        targetType: 'IssueTag',
        targetId: tag.id,
        details: { name, projectId: tag.projectId },
      });
    });
  } catch (error) {
    // Only a writer that skipped the lock could get here; the index still answers.
    if (isUniqueViolation(error)) throw conflict(`An issue tag named "${name}" already exists`, { field: 'input.name' });
    throw error;
  }
  return tag;
}

/** CONFLICT naming the tag the new name collides with. */
function clashError(clash: { id: string; name: string; projectId: string | null; projectName: string | null }) {
  const message =
    clash.projectId === null
      ? `A workspace-level issue tag is already named "${clash.name}"`
      : `Project "${clash.projectName}" already has an issue tag named "${clash.name}"`;
  return conflict(message, { field: 'input.name', clash: { id: clash.id, name: clash.name, projectId: clash.projectId } });
}

/** Deletes an issue tag; it leaves every issue that carried it (the links cascade). */
export async function deleteIssueTag(ctx: Context, id: string): Promise<boolean> {
  await ctx.db.transaction(async (tx) => {
    const tag = await queryOne<{ name: string; workspaceId: string; projectId: string | null }>(
      tx,
      `DELETE FROM issue_tags WHERE id = $1 RETURNING name, workspace_id AS "workspaceId", project_id AS "projectId"`,
      [id],
    );
    if (!tag) throw notFound('issue tag');
    await audit(tx, {
      workspaceId: tag.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'deleteIssueTag',
      targetType: 'IssueTag',
      targetId: id,
      details: { name: tag.name, projectId: tag.projectId },
    });
  });
  return true;
}
