import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import type { IssueTag, ProjectTag } from './tag.types';

/** Groups rows by a key, in the order the keys were asked for (empty lists for keys with no rows). */
export function groupBy<R, K extends string>(keys: readonly K[], rows: R[], keyOf: (row: R) => string): R[][] {
  const groups = new Map<string, R[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

export const ORDER = `ORDER BY lower(t.name), t.id`;

/** A workspace's project tags, by workspace id. */
export function projectTagsOfWorkspace(ctx: Context): DataLoader<string, ProjectTag[]> {
  return loader(ctx, makeProjectTagsOfWorkspace);
}
function makeProjectTagsOfWorkspace(ctx: Context) {
  return new DataLoader<string, ProjectTag[]>(async (ids) => {
    const rows = await queryRows<ProjectTag>(
      ctx.db,
      `SELECT t.id, t.name, t.workspace_id AS "workspaceId" FROM project_tags t WHERE t.workspace_id = ANY($1::uuid[]) ${ORDER}`,
      [ids],
    );
    return groupBy(ids, rows, (r) => r.workspaceId);
  });
}

/** The project tags set on a project, by project id. */
export function projectTagsOfProject(ctx: Context): DataLoader<string, ProjectTag[]> {
  return loader(ctx, makeTagsOfProject);
}
function makeTagsOfProject(ctx: Context) {
  return new DataLoader<string, ProjectTag[]>(async (ids) => {
    const rows = await queryRows<ProjectTag & { projectId: string }>(
      ctx.db,
      `SELECT l.project_id AS "projectId", t.id, t.name, t.workspace_id AS "workspaceId"
         FROM project_tag_links l JOIN project_tags t ON t.id = l.tag_id
        WHERE l.project_id = ANY($1::uuid[]) ${ORDER}`,
      [ids],
    );
    return groupBy(ids, rows, (r) => r.projectId).map((list) => list.map(({ projectId: _p, ...tag }) => tag));
  });
}

export const ISSUE_TAG_COLUMNS = `t.id, t.name, t.workspace_id AS "workspaceId", t.project_id AS "projectId"`;

/** A workspace's workspace-level issue tags, by workspace id. */
export function issueTagsOfWorkspace(ctx: Context): DataLoader<string, IssueTag[]> {
  return loader(ctx, makeIssueTagsOfWorkspace);
}
function makeIssueTagsOfWorkspace(ctx: Context) {
  return new DataLoader<string, IssueTag[]>(async (ids) => {
    const rows = await queryRows<IssueTag>(
      ctx.db,
      `SELECT ${ISSUE_TAG_COLUMNS} FROM issue_tags t WHERE t.workspace_id = ANY($1::uuid[]) AND t.project_id IS NULL ${ORDER}`,
      [ids],
    );
    return groupBy(ids, rows, (r) => r.workspaceId);
  });
}

/** The issue tags a project sees (its workspace's and its own), by project id. */
export function issueTagsOfProject(ctx: Context): DataLoader<string, IssueTag[]> {
  return loader(ctx, makeIssueTagsOfProject);
}
function makeIssueTagsOfProject(ctx: Context) {
  return new DataLoader<string, IssueTag[]>(async (ids) => {
    const rows = await queryRows<IssueTag & { forProject: string }>(
      ctx.db,
      `SELECT r.id AS "forProject", ${ISSUE_TAG_COLUMNS}
         FROM resources r
         JOIN issue_tags t ON t.workspace_id = r.workspace_id AND (t.project_id IS NULL OR t.project_id = r.id)
        WHERE r.id = ANY($1::uuid[]) AND r.type = 'PROJECT'
        ${ORDER}`,
      [ids],
    );
    return groupBy(ids, rows, (r) => r.forProject).map((list) => list.map(({ forProject: _f, ...tag }) => tag));
  });
}
