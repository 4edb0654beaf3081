import { randomUUID } from 'node:crypto';
import { visibleSql, type Visibility } from '../../authorization/lists';
import { columnsOf, unprefix } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { PERSON_FROM, personColumns, personFrom } from '../users/users.data';
import type { WorkspaceUser } from '../users/workspace-user.types';
import { JobEntity, type JobStatus, type JobType } from './job.entity';
import type { Job, StorageFolder } from './job.types';
import { StorageFolderEntity } from './storage-folder.entity';

/** The SQL of the Activity Center: jobs and storage folders; the locks job changes take. */

const JOB_KEYS = [
  'id', 'workspaceId', 'type', 'status', 'progress', 'userId', 'projectId', 'datasetId', 'folderId',
  'errorMessage', 'errorDetails', 'retryOfId', 'cancelledById', 'createdAt', 'updatedAt', 'finishedAt',
] as const;

/** A job's columns from `jobs j`. */
export const JOB_COLUMNS = columnsOf(JobEntity, 'j', { only: JOB_KEYS });

/** The Job in a row read with JOB_COLUMNS (and nothing else the row may carry). */
export function jobFrom(row: Record<string, any>): Job {
  return unprefix<Job>(row, '', JOB_KEYS)!;
}

export async function jobsByIds(db: Queryable, ids: readonly string[]): Promise<Job[]> {
  const rows = await queryRows(db, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = ANY($1::uuid[])`, [ids]);
  return rows.map(jobFrom);
}

export interface JobsQuery {
  workspaceId: string;
  /** Which jobs the list holds (scopes.job). */
  visible: Visibility<'job'>;
  types: JobType[] | null;
  statuses: JobStatus[] | null;
  /** The last row of the previous page: [created_at as written by the cursor, id]. */
  after: [string, string] | null;
  limit: number;
  withTotal: boolean;
  /** Read the page's starters in the same statement (when `nodes.user` is asked for). */
  withStarters: boolean;
}

/**
 * workspace.jobs: newest first. One statement reads the page, the feed's position and (when
 * asked for) the total: one snapshot, so every event up to that position is in the page, and
 * every later one is the feed's to bring. The starters are joined to the page after its LIMIT,
 * so the page's plan stays the jobs index's.
 */
export async function listJobs(
  db: Queryable,
  q: JobsQuery,
): Promise<{ rows: Array<Job & { cursorAt: string; starter: WorkspaceUser | null }>; total: number; lastEventSeq: number } | null> {
  const params: unknown[] = [q.workspaceId, q.types, q.statuses];
  const where = `j.workspace_id = $1 AND ${visibleSql(q.visible, 'j', params)}
     AND ($2::text[] IS NULL OR j.type = ANY($2::text[])) AND ($3::text[] IS NULL OR j.status = ANY($3::text[]))`;
  const add = (v: unknown) => `$${params.push(v)}`;
  const after = q.after ? `AND (j.created_at, j.id) < (${add(q.after[0])}::timestamptz, ${add(q.after[1])}::uuid)` : '';
  const limit = add(q.limit + 1);
  const withTotal = add(q.withTotal);
  const starters = q.withStarters
    ? `SELECT p.*, ${personColumns('starter_')} FROM page_only p
         LEFT JOIN ${PERSON_FROM} ON m.workspace_id = p."workspaceId" AND m.user_id = p."userId"`
    : `SELECT * FROM page_only`;
  // An empty page leaves one row of nulls beside the position and the count.
  const joined = await queryRows<Job & { cursorAt: string; totalCount: number | null; lastEventSeq: string }>(
    db,
    `WITH page_only AS (
       SELECT ${JOB_COLUMNS}, to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
         FROM jobs j
        WHERE ${where} ${after}
        ORDER BY j.created_at DESC, j.id DESC
        LIMIT ${limit})
     SELECT page.*, head.total AS "totalCount", head.seq AS "lastEventSeq"
       FROM (SELECT w.last_event_seq AS seq,
                    CASE WHEN ${withTotal}::boolean THEN (SELECT count(*)::int FROM jobs j WHERE ${where}) END AS total
               FROM workspaces w WHERE w.id = $1) head
       LEFT JOIN (${starters}) page ON true
      ORDER BY page."cursorAt" DESC, page.id DESC`,
    params,
  );
  if (joined.length === 0) return null; // the workspace is gone
  const head = joined[0];
  const rows = joined
    .filter((row) => row.id !== null)
    .map((row) => ({ ...jobFrom(row), cursorAt: row.cursorAt, starter: personFrom(row, 'starter_') }));
  return { rows, total: head.totalCount ?? 0, lastEventSeq: Number(head.lastEventSeq) };
}

/** A job's row, locked so that concurrent changes of one job see each other's result. */
export async function lockJob(tx: Queryable, id: string): Promise<Job | undefined> {
  const row = await queryOne(tx, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1 FOR NO KEY UPDATE`, [id]);
  return row ? jobFrom(row) : undefined;
}

/** A job, unlocked (a finished job never changes again). */
export async function jobById(tx: Queryable, id: string): Promise<Job | undefined> {
  const row = await queryOne(tx, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1`, [id]);
  return row ? jobFrom(row) : undefined;
}

export type NewJob = Pick<Job, 'workspaceId' | 'type' | 'userId' | 'projectId' | 'datasetId' | 'folderId' | 'retryOfId'>;

export async function insertJob(tx: Queryable, job: NewJob): Promise<Job> {
  const row = await queryOne(
    tx,
    `INSERT INTO jobs AS j (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, folder_id, retry_of, created_at, updated_at)
     VALUES ($1, $2, $3, 'PROCESSING', 0, $4, $5, $6, $7, $8, now(), now())
     RETURNING ${JOB_COLUMNS}`,
    [randomUUID(), job.workspaceId, job.type, job.userId, job.projectId, job.datasetId, job.folderId, job.retryOfId],
  );
  return jobFrom(row!);
}

export interface JobChange {
  status: JobStatus;
  progress: number;
  errorMessage?: string;
  errorDetails?: string | null;
  cancelledBy?: string | null;
}

/** Writes a (locked) job's new state; a status other than PROCESSING finishes it. */
export async function updateJob(tx: Queryable, id: string, change: JobChange): Promise<Job> {
  const row = await queryOne(
    tx,
    `UPDATE jobs AS j
        SET status = $2, progress = $3, error_message = COALESCE($4, j.error_message), error_details = COALESCE($5, j.error_details),
            cancelled_by = CASE WHEN $2 = 'CANCELLED' THEN $6::uuid ELSE j.cancelled_by END,
            updated_at = now(), finished_at = CASE WHEN $2 = 'PROCESSING' THEN NULL ELSE now() END
      WHERE j.id = $1
      RETURNING ${JOB_COLUMNS}`,
    [id, change.status, change.progress, change.errorMessage ?? null, change.errorDetails ?? null, change.cancelledBy ?? null],
  );
  return jobFrom(row!);
}

/** Cancels a person's PROCESSING jobs in a workspace (they are leaving it), locked in id order; answers them as they are now. */
export async function cancelProcessingJobsOf(tx: Queryable, workspaceId: string, userId: string, by: string | null): Promise<Job[]> {
  const rows = await queryRows(
    tx,
    `WITH locked AS (SELECT id FROM jobs WHERE workspace_id = $1 AND user_id = $2 AND status = 'PROCESSING' ORDER BY id FOR NO KEY UPDATE)
     UPDATE jobs AS j SET status = 'CANCELLED', cancelled_by = $3, updated_at = now(), finished_at = now()
       FROM locked WHERE j.id = locked.id
     RETURNING ${JOB_COLUMNS}`,
    [workspaceId, userId, by],
  );
  return rows.map(jobFrom).sort((a, b) => a.id.localeCompare(b.id));
}

// ---- Storage folders --------------------------------------------------------------------------

/** The folder of this name in the workspace (names compare trimmed, case-insensitively), made if missing. */
export async function folderNamed(tx: Queryable, workspaceId: string, name: string): Promise<string> {
  // DO UPDATE (a no-op) rather than DO NOTHING: it returns the existing row, also one a concurrent import just made.
  const row = await queryOne<{ id: string }>(
    tx,
    `INSERT INTO storage_folders AS f (id, workspace_id, name) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id, lower(btrim(name))) DO UPDATE SET name = f.name
     RETURNING f.id`,
    [randomUUID(), workspaceId, name],
  );
  return row!.id;
}

export function foldersByIds(db: Queryable, ids: readonly string[]): Promise<StorageFolder[]> {
  return queryRows<StorageFolder>(db, `SELECT ${columnsOf(StorageFolderEntity, 'f', { only: ['id', 'name', 'workspaceId'] })} FROM storage_folders f WHERE f.id = ANY($1::uuid[])`, [
    ids,
  ]);
}
