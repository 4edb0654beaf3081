import { columnsOf } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { groupBy, ISSUE_TAG_COLUMNS, ISSUE_TAG_ORDER } from '../tags/tags.data';
import type { IssueTag } from '../tags/tag.types';
import { IssueEntity, type IssueStatus } from './issue.entity';
import type { ProjectIssue } from './issue.types';

/** The SQL of the issues module: a project's issues and the tags they carry. */

const ISSUE_COLUMNS = columnsOf(IssueEntity, 'i', { only: ['id', 'title', 'status', 'createdAt', 'workspaceId', 'projectId'] });

/** Projects' first `limit` issues each, newest first: those with the status, carrying every tag named. */
export async function issuesOfProjects(
  db: Queryable,
  projectIds: readonly string[],
  filter: { tagIds: readonly string[]; status: IssueStatus | null; limit: number },
): Promise<ProjectIssue[][]> {
  // "Carrying every tag named": the issue's links among those tags number as many as the tags.
  const rows = await queryRows<ProjectIssue>(
    db,
    `SELECT * FROM (
       SELECT ${ISSUE_COLUMNS}, row_number() OVER (PARTITION BY i.project_id ORDER BY i.created_at DESC, i.id DESC) AS "rank"
         FROM issues i
        WHERE i.project_id = ANY($1::uuid[])
          AND ($2::text IS NULL OR i.status = $2::text)
          AND (cardinality($3::uuid[]) = 0
               OR (SELECT count(*) FROM issue_tag_links l WHERE l.issue_id = i.id AND l.tag_id = ANY($3::uuid[])) = cardinality($3::uuid[]))) ranked
      WHERE "rank" <= $4
      ORDER BY "projectId", "rank"`,
    [projectIds, filter.status, filter.tagIds, filter.limit],
  );
  return groupBy(projectIds, rows, (r) => r.projectId);
}

export async function tagsOfIssues(db: Queryable, issueIds: readonly string[]): Promise<IssueTag[][]> {
  const rows = await queryRows<IssueTag & { issueId: string }>(
    db,
    `SELECT l.issue_id AS "issueId", ${ISSUE_TAG_COLUMNS} FROM issue_tag_links l JOIN issue_tags t ON t.id = l.tag_id WHERE l.issue_id = ANY($1::uuid[]) ${ISSUE_TAG_ORDER}`,
    [issueIds],
  );
  return groupBy(issueIds, rows, (r) => r.issueId).map((list) => list.map(({ issueId: _i, ...tag }) => tag));
}

export async function insertIssue(
  tx: Queryable,
  issue: { id: string; workspaceId: string; projectId: string; title: string; createdBy: string; tagIds: readonly string[] },
): Promise<ProjectIssue> {
  const row = await queryOne<ProjectIssue>(
    tx,
    `INSERT INTO issues AS i (id, workspace_id, project_id, title, status, created_by) VALUES ($1, $2, $3, $4, 'OPEN', $5) RETURNING ${ISSUE_COLUMNS}`,
    [issue.id, issue.workspaceId, issue.projectId, issue.title, issue.createdBy],
  );
  if (issue.tagIds.length > 0) await tx.query(`INSERT INTO issue_tag_links (issue_id, tag_id) SELECT $1, unnest($2::uuid[])`, [issue.id, issue.tagIds]);
  return row!;
}

/** OPEN -> RESOLVED; undefined when it was not OPEN. */
export function resolveIssueRow(tx: Queryable, id: string): Promise<ProjectIssue | undefined> {
  return queryOne<ProjectIssue>(tx, `UPDATE issues AS i SET status = 'RESOLVED', resolved_at = now() WHERE i.id = $1 AND i.status = 'OPEN' RETURNING ${ISSUE_COLUMNS}`, [id]);
}

export function issueById(tx: Queryable, id: string): Promise<ProjectIssue | undefined> {
  return queryOne<ProjectIssue>(tx, `SELECT ${ISSUE_COLUMNS} FROM issues i WHERE i.id = $1`, [id]);
}
