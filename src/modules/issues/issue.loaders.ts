import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import { groupBy, ISSUE_TAG_COLUMNS, ORDER } from '../tags/tag.loaders';
import type { IssueTag } from '../tags/tag.types';
import type { IssueStatus } from './issue.entity';
import type { ProjectIssue } from './issue.types';

export const ISSUE_COLUMNS = `i.id, i.title, i.status, i.created_at AS "createdAt", i.workspace_id AS "workspaceId", i.project_id AS "projectId"`;

/** A filter in the form the query takes: tag ids are UUIDs (the caller drops the rest), de-duplicated. */
export interface IssueQuery {
  tagIds: string[];
  status: IssueStatus | null;
}

/**
 * A project's issues, newest first, by project id. Every project of one list is asked with the
 * same filter (the field's arguments), so one loader per distinct filter batches them all.
 */
export function issuesOfProject(ctx: Context, query: IssueQuery): DataLoader<string, ProjectIssue[]> {
  const byFilter = loader(ctx, makeIssueLoaders);
  const key = JSON.stringify([query.status, [...query.tagIds].sort()]);
  let instance = byFilter.get(key);
  if (!instance) {
    instance = new DataLoader<string, ProjectIssue[]>((ids) => loadIssues(ctx, ids, query));
    byFilter.set(key, instance);
  }
  return instance;
}

/** The request's issue loaders, one per filter (a module-level factory: loader() keys on it). */
function makeIssueLoaders(): Map<string, DataLoader<string, ProjectIssue[]>> {
  return new Map();
}

async function loadIssues(ctx: Context, projectIds: readonly string[], query: IssueQuery): Promise<ProjectIssue[][]> {
  // "Carrying every tag named": the issue's links among those tags number as many as the tags.
  const rows = await queryRows<ProjectIssue>(
    ctx.db,
    `SELECT ${ISSUE_COLUMNS}
       FROM issues i
      WHERE i.project_id = ANY($1::uuid[])
        AND ($2::text IS NULL OR i.status = $2::text)
        AND (cardinality($3::uuid[]) = 0
             OR (SELECT count(*) FROM issue_tag_links l WHERE l.issue_id = i.id AND l.tag_id = ANY($3::uuid[])) = cardinality($3::uuid[]))
      ORDER BY i.created_at DESC, i.id DESC`,
    [projectIds, query.status, query.tagIds],
  );
  return groupBy(projectIds, rows, (r) => r.projectId);
}

/** The tags an issue carries, by issue id. */
export function tagsOfIssue(ctx: Context): DataLoader<string, IssueTag[]> {
  return loader(ctx, makeTagsOfIssue);
}

function makeTagsOfIssue(ctx: Context) {
  return new DataLoader<string, IssueTag[]>(async (ids) => {
    const rows = await queryRows<IssueTag & { issueId: string }>(
      ctx.db,
      `SELECT l.issue_id AS "issueId", ${ISSUE_TAG_COLUMNS}
         FROM issue_tag_links l JOIN issue_tags t ON t.id = l.tag_id
        WHERE l.issue_id = ANY($1::uuid[]) ${ORDER}`,
      [ids],
    );
    return groupBy(ids, rows, (r) => r.issueId).map((list) => list.map(({ issueId: _i, ...tag }) => tag));
  });
}
