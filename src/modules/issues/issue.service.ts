import { randomUUID } from 'node:crypto';
import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { cleanName } from '../common/validation';
import { uniqueIds } from '../tags/tag-rules';
import { ISSUE_COLUMNS, issuesOfProject } from './issue.loaders';
import type { CreateIssueInput, IssueFilter, ProjectIssue } from './issue.types';

export const ISSUE_TITLE_MAX = 500;

/**
 * A new OPEN issue (the rule createIssue checks who). Its tags must be tags the project sees:
 * the workspace's issue tags and the project's own.
 */
export async function createIssue(ctx: Context, input: CreateIssueInput): Promise<ProjectIssue> {
  const title = cleanName(input.title, 'input.title', ISSUE_TITLE_MAX);
  const { ids, malformed } = uniqueIds(input.tagIds, 'input.tagIds');
  const project = await ctx.access.resource(input.projectId);
  if (!project) throw notFound('project');
  const id = randomUUID();
  return ctx.db.transaction(async (tx) => {
    // KEY SHARE keeps the tags from being deleted before this commits.
    const found = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM issue_tags
        WHERE id = ANY($1::uuid[]) AND workspace_id = $2 AND (project_id IS NULL OR project_id = $3)
        FOR KEY SHARE`,
      [ids, project.workspaceId, project.id],
    );
    const known = new Set(found.map((t) => t.id));
    const invalid = [...malformed, ...ids.filter((tagId) => !known.has(tagId))];
    if (invalid.length > 0) throw badInput('input.tagIds', 'Not an issue tag of this project or its workspace', { invalid });

    const issue = await queryOne<ProjectIssue>(
      tx,
      `INSERT INTO issues AS i (id, workspace_id, project_id, title, status, created_by) VALUES ($1, $2, $3, $4, 'OPEN', $5)
       RETURNING ${ISSUE_COLUMNS}`,
      [id, project.workspaceId, project.id, title, ctx.viewer!.userId],
    );
    if (ids.length > 0) {
      await tx.query(`INSERT INTO issue_tag_links (issue_id, tag_id) SELECT $1, unnest($2::uuid[])`, [id, ids]);
    }
    await audit(tx, {
      workspaceId: project.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'createIssue',
      targetType: 'ProjectIssue',
      targetId: id,
      details: { projectId: project.id, title, tagIds: ids },
    });
    return issue!;
  });
}

/** Marks an issue RESOLVED (the rule resolveIssue checks who). Resolving a resolved issue changes nothing. */
export async function resolveIssue(ctx: Context, id: string): Promise<ProjectIssue> {
  return ctx.db.transaction(async (tx) => {
    const resolved = await queryOne<ProjectIssue>(
      tx,
      `UPDATE issues AS i SET status = 'RESOLVED', resolved_at = now() WHERE i.id = $1 AND i.status = 'OPEN' RETURNING ${ISSUE_COLUMNS}`,
      [id],
    );
    if (!resolved) {
      const issue = await queryOne<ProjectIssue>(tx, `SELECT ${ISSUE_COLUMNS} FROM issues i WHERE i.id = $1`, [id]);
      if (!issue) throw notFound('issue');
      return issue;
    }
    await audit(tx, {
      workspaceId: resolved.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'resolveIssue',
      targetType: 'ProjectIssue',
      targetId: id,
      details: { projectId: resolved.projectId, from: 'OPEN', to: 'RESOLVED' },
    });
    return resolved;
  });
}

/** A project's issues, newest first: those with the status, carrying every tag named. */
export async function projectIssues(ctx: Context, projectId: string, filter: IssueFilter | null | undefined): Promise<ProjectIssue[]> {
  const { ids, malformed } = uniqueIds(filter?.tagIds, 'filter.tagIds');
  if (malformed.length > 0) return []; // an id that is not a UUID names no tag, and no issue carries it
  return issuesOfProject(ctx, { tagIds: ids, status: filter?.status ?? null }).load(projectId);
}
