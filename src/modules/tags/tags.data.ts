import { columnsOf } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { IssueTagEntity } from './issue-tag.entity';
import { ProjectTagEntity } from './project-tag.entity';
import type { IssueTag, ProjectTag } from './tag.types';

/** The SQL of the tags module: project tags and their links to projects; issue tags (workspace-level and a project's own). */

/** Groups rows by a key, in the order the keys were asked for (empty lists for keys with no rows). */
export function groupBy<R, K extends string>(keys: readonly K[], rows: R[], keyOf: (row: R) => string): R[][] {
  const groups = new Map<string, R[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

const ORDER = `ORDER BY t.name_key, t.id`;
const PROJECT_TAG = columnsOf(ProjectTagEntity, 't', { only: ['id', 'name', 'workspaceId'] });
export const ISSUE_TAG_COLUMNS = columnsOf(IssueTagEntity, 't', { only: ['id', 'name', 'workspaceId', 'projectId'] });
/** Issue tags in the order every list of them shows. */
export const ISSUE_TAG_ORDER = ORDER;

// ---- Project tags -----------------------------------------------------------------------------

export async function projectTagsOfWorkspaces(db: Queryable, workspaceIds: readonly string[]): Promise<ProjectTag[][]> {
  const rows = await queryRows<ProjectTag>(db, `SELECT ${PROJECT_TAG} FROM project_tags t WHERE t.workspace_id = ANY($1::uuid[]) ${ORDER}`, [workspaceIds]);
  return groupBy(workspaceIds, rows, (r) => r.workspaceId);
}

export async function projectTagsOfProjects(db: Queryable, projectIds: readonly string[]): Promise<ProjectTag[][]> {
  const rows = await queryRows<ProjectTag & { projectId: string }>(
    db,
    `SELECT l.project_id AS "projectId", ${PROJECT_TAG} FROM project_tag_links l JOIN project_tags t ON t.id = l.tag_id WHERE l.project_id = ANY($1::uuid[]) ${ORDER}`,
    [projectIds],
  );
  return groupBy(projectIds, rows, (r) => r.projectId).map((list) => list.map(({ projectId: _p, ...tag }) => tag));
}

export async function insertProjectTag(tx: Queryable, tag: ProjectTag & { nameKey: string }): Promise<void> {
  await tx.query(`INSERT INTO project_tags (id, workspace_id, name, name_key) VALUES ($1, $2, $3, $4)`, [tag.id, tag.workspaceId, tag.name, tag.nameKey]);
}

export function projectTagNamed(db: Queryable, workspaceId: string, nameKey: string): Promise<{ id: string; name: string } | undefined> {
  return queryOne(db, `SELECT id, name FROM project_tags WHERE workspace_id = $1 AND name_key = $2`, [workspaceId, nameKey]);
}

/** A project tag, locked: waits for a setProjectTags holding it, so the projects read next are all of them. */
export function lockProjectTag(tx: Queryable, id: string): Promise<{ name: string; workspaceId: string } | undefined> {
  return queryOne(tx, `SELECT name, workspace_id AS "workspaceId" FROM project_tags WHERE id = $1 FOR UPDATE`, [id]);
}

/** Deletes a tag (its links go with it); answers the projects that carried it. */
export async function deleteProjectTag(tx: Queryable, id: string): Promise<string[]> {
  const projects = await queryRows<{ projectId: string }>(tx, `SELECT project_id AS "projectId" FROM project_tag_links WHERE tag_id = $1 ORDER BY project_id`, [id]);
  await tx.query(`DELETE FROM project_tags WHERE id = $1`, [id]);
  return projects.map((p) => p.projectId);
}

/** Of these ids, the project tags of the workspace, held (KEY SHARE) against a concurrent delete. */
export async function holdProjectTags(tx: Queryable, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await queryRows<{ id: string }>(tx, `SELECT id FROM project_tags WHERE id = ANY($1::uuid[]) AND workspace_id = $2 FOR KEY SHARE`, [ids, workspaceId]);
  return new Set(rows.map((t) => t.id));
}

/** Sets exactly these tags on a project; answers what was added and removed. */
export async function setTagsOfProject(tx: Queryable, projectId: string, tagIds: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
  const before = new Set((await queryRows<{ tagId: string }>(tx, `SELECT tag_id AS "tagId" FROM project_tag_links WHERE project_id = $1`, [projectId])).map((r) => r.tagId));
  const added = tagIds.filter((id) => !before.has(id));
  const removed = [...before].filter((id) => !tagIds.includes(id)).sort();
  if (removed.length > 0) await tx.query(`DELETE FROM project_tag_links WHERE project_id = $1 AND tag_id = ANY($2::uuid[])`, [projectId, removed]);
  if (added.length > 0) await tx.query(`INSERT INTO project_tag_links (project_id, tag_id) SELECT $1, unnest($2::uuid[])`, [projectId, added]);
  return { added, removed };
}

// ---- Issue tags -------------------------------------------------------------------------------

export async function issueTagsOfWorkspaces(db: Queryable, workspaceIds: readonly string[]): Promise<IssueTag[][]> {
  const rows = await queryRows<IssueTag>(db, `SELECT ${ISSUE_TAG_COLUMNS} FROM issue_tags t WHERE t.workspace_id = ANY($1::uuid[]) AND t.project_id IS NULL ${ORDER}`, [
    workspaceIds,
  ]);
  return groupBy(workspaceIds, rows, (r) => r.workspaceId);
}

/** The issue tags each project sees: its workspace's and its own. */
export async function issueTagsOfProjects(db: Queryable, projectIds: readonly string[]): Promise<IssueTag[][]> {
  const rows = await queryRows<IssueTag & { forProject: string }>(
    db,
    `SELECT r.id AS "forProject", ${ISSUE_TAG_COLUMNS}
       FROM resources r JOIN issue_tags t ON t.workspace_id = r.workspace_id AND (t.project_id IS NULL OR t.project_id = r.id)
      WHERE r.id = ANY($1::uuid[]) AND r.type = 'PROJECT'
      ${ORDER}`,
    [projectIds],
  );
  return groupBy(projectIds, rows, (r) => r.forProject).map((list) => list.map(({ forProject: _f, ...tag }) => tag));
}

/**
 * Issue tag names are unique among the tags one project sees (the workspace's and its own). The
 * partial unique indexes hold each level on its own; across the levels every creator takes this
 * lock, then checks, then inserts. An advisory lock rather than the workspace row's: a row lock
 * would also hold up job events (which take their numbers on that row).
 */
export async function lockIssueTagNames(tx: Queryable, workspaceId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('issue_tags'), hashtext($1))`, [workspaceId]);
}

/** The tag a new one's name would clash with: a workspace-level one, or (for a workspace-level tag) any project's, or the project's own. */
export function issueTagClash(tx: Queryable, workspaceId: string, nameKey: string, projectId: string | null) {
  return queryOne<{ id: string; name: string; projectId: string | null; projectName: string | null }>(
    tx,
    `SELECT t.id, t.name, t.project_id AS "projectId", r.name AS "projectName"
       FROM issue_tags t LEFT JOIN resources r ON r.id = t.project_id
      WHERE t.workspace_id = $1 AND t.name_key = $2 AND ($3::uuid IS NULL OR t.project_id IS NULL OR t.project_id = $3::uuid)
      ORDER BY t.project_id NULLS FIRST
      LIMIT 1`,
    [workspaceId, nameKey, projectId],
  );
}

export async function insertIssueTag(tx: Queryable, tag: IssueTag & { nameKey: string }): Promise<void> {
  await tx.query(`INSERT INTO issue_tags (id, workspace_id, project_id, name, name_key) VALUES ($1, $2, $3, $4, $5)`, [
    tag.id,
    tag.workspaceId,
    tag.projectId,
    tag.name,
    tag.nameKey,
  ]);
}

export function deleteIssueTag(tx: Queryable, id: string): Promise<{ name: string; workspaceId: string; projectId: string | null } | undefined> {
  return queryOne(tx, `DELETE FROM issue_tags WHERE id = $1 RETURNING name, workspace_id AS "workspaceId", project_id AS "projectId"`, [id]);
}

/** Of these ids, the issue tags a project sees, held (KEY SHARE) against a concurrent delete. */
export async function holdIssueTagsOfProject(tx: Queryable, workspaceId: string, projectId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await queryRows<{ id: string }>(
    tx,
    `SELECT id FROM issue_tags WHERE id = ANY($1::uuid[]) AND workspace_id = $2 AND (project_id IS NULL OR project_id = $3) FOR KEY SHARE`,
    [ids, workspaceId, projectId],
  );
  return new Set(rows.map((t) => t.id));
}

/** How many project tags a workspace has (a cap, server/limits/caps.ts). */
export async function projectTagCount(tx: Queryable, workspaceId: string): Promise<number> {
  return (await queryOne<{ n: number }>(tx, `SELECT count(*)::int AS n FROM project_tags WHERE workspace_id = $1`, [workspaceId]))!.n;
}

/** How many issue tags a workspace has at its level (projectId null), or a project has of its own. */
export async function issueTagCount(tx: Queryable, workspaceId: string, projectId: string | null): Promise<number> {
  const row = await queryOne<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n FROM issue_tags WHERE workspace_id = $1 AND project_id IS NOT DISTINCT FROM $2::uuid`,
    [workspaceId, projectId],
  );
  return row!.n;
}
