import { randomUUID } from 'node:crypto';
import { visibleSql, type Visibility } from '../../authorization/lists';
import { columnsOf, unprefix } from '../../database/columns';
import { BACKGROUND, queryOne, queryRows, type Queryable } from '../../database/sql';
import { PERSON_FROM, personColumns, personFrom } from '../users/users.data';
import type { WorkspaceUser } from '../users/workspace-user.types';
import { JOB_STATUSES, JobEntity, type JobStatus, type JobType } from './job.entity';
import type { Job, JobOrderField, StorageFolder } from './job.types';
import { StorageFolderEntity } from './storage-folder.entity';

/** The SQL of the Activity Center: jobs and storage folders; the locks job changes take. */

const JOB_KEYS = [
  'id', 'workspaceId', 'type', 'status', 'progress', 'userId', 'projectId', 'datasetId', 'folderId',
  'errorMessage', 'errorDetails', 'retryOfId', 'cancelledById', 'apiKeyId', 'heartbeatSeconds', 'lastReportAt',
  'createdAt', 'updatedAt', 'finishedAt',
] as const;

/** A job's columns from `jobs j`. */
export const JOB_COLUMNS = columnsOf(JobEntity, 'j', { only: JOB_KEYS });

/** The Job in a row read with JOB_COLUMNS (and nothing else the row may carry). */
export function jobFrom(row: Record<string, any>): Job {
  return unprefix<Job>(row, '', JOB_KEYS)!;
}

/** A job's columns from `jobs j` beside another table's, each named `job_<property>`. */
export const PREFIXED_JOB_COLUMNS = columnsOf(JobEntity, 'j', { only: JOB_KEYS, prefix: 'job_' });

/** The Job in a row read with PREFIXED_JOB_COLUMNS; null when the outer join found none. */
export function prefixedJobFrom(row: Record<string, any>): Job | null {
  return unprefix<Job>(row, 'job_', JOB_KEYS);
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
  userIds: string[] | null;
  /** created_at >= createdAfter and < createdBefore. */
  createdAfter: Date | null;
  createdBefore: Date | null;
  order: JobOrderField;
  descending: boolean;
  /** The last row of the previous page: its sort key as the cursor writes it (null: unfinished), and id. */
  after: { key: string | null; id: string } | null;
  limit: number;
  withTotal: boolean;
  /** Read the page's starters in the same statement (when `nodes.user` is asked for). */
  withStarters: boolean;
}

/** The sort keys: what a cursor holds (times as text with their microseconds: a JS Date would round them off). */
const SORT_KEYS: Record<JobOrderField, string> = {
  CREATED_AT: `to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  FINISHED_AT: `to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  STATUS: 'j.status',
};
/** Statuses sort in the schema's order (PROCESSING first), as people's roles and statuses do. */
const STATUS_RANK = `ARRAY[${JOB_STATUSES.map((status) => `'${status}'`).join(', ')}]::text[]`;
/** What the rows order by, given what a cursor holds (the text of a time orders as the time does, but would not use the indexes). */
const SORT_VALUES: Record<JobOrderField, (key: string) => string> = {
  CREATED_AT: (key) => `${key}::timestamptz`,
  FINISHED_AT: (key) => `${key}::timestamptz`,
  STATUS: (key) => `array_position(${STATUS_RANK}, ${key}::text)`,
};
const SORT_COLUMNS: Record<JobOrderField, string> = { CREATED_AT: 'j.created_at', FINISHED_AT: 'j.finished_at', STATUS: SORT_VALUES.STATUS('j.status') };

/**
 * workspace.jobs, in the asked order, ties by id in the same direction, null keys (unfinished
 * jobs) last either way. One statement reads the page, the feed's position and (when
 * asked for) the total: one snapshot, so every event up to that position is in the page, and
 * every later one is the feed's to bring. The starters are joined to the page after its LIMIT,
 * so the page's plan stays the jobs index's.
 */
export async function listJobs(
  db: Queryable,
  q: JobsQuery,
): Promise<{ rows: Array<Job & { cursorKey: string | null; starter: WorkspaceUser | null }>; total: number; lastEventSeq: number } | null> {
  const params: unknown[] = [q.workspaceId, q.types, q.statuses, q.userIds, q.createdAfter, q.createdBefore];
  const where = `j.workspace_id = $1 AND ${visibleSql(q.visible, 'j', params)}
     AND ($2::text[] IS NULL OR j.type = ANY($2::text[])) AND ($3::text[] IS NULL OR j.status = ANY($3::text[]))
     AND ($4::uuid[] IS NULL OR j.user_id = ANY($4::uuid[]))
     AND ($5::timestamptz IS NULL OR j.created_at >= $5) AND ($6::timestamptz IS NULL OR j.created_at < $6)`;
  const add = (v: unknown) => `$${params.push(v)}`;
  const column = SORT_COLUMNS[q.order];
  const [dir, op] = q.descending ? ['DESC', '<'] : ['ASC', '>'];
  // Only finished_at has nulls; the others page by a row comparison (created_at as its index orders, backwards for DESC).
  const nullable = q.order === 'FINISHED_AT';
  let after = '';
  if (q.after) {
    const id = `${add(q.after.id)}::uuid`;
    const key = q.after.key === null ? null : SORT_VALUES[q.order](add(q.after.key));
    // After a null key only null keys follow; after a value, the values past it, its ties past the id, and every null key.
    if (!nullable) after = `AND (${column}, j.id) ${op} (${key}, ${id})`;
    else if (key === null) after = `AND ${column} IS NULL AND j.id ${op} ${id}`;
    else after = `AND (${column} IS NULL OR (${column}, j.id) ${op} (${key}, ${id}))`;
  }
  const nulls = nullable ? ' NULLS LAST' : '';
  const orderBy = (key: string, id: string) => `${key} ${dir}${nulls}, ${id} ${dir}`;
  const limit = add(q.limit + 1);
  const withTotal = add(q.withTotal);
  const starters = q.withStarters
    ? `SELECT p.*, ${personColumns('starter_')} FROM page_only p
         LEFT JOIN ${PERSON_FROM} ON m.workspace_id = p."workspaceId" AND m.user_id = p."userId"`
    : `SELECT * FROM page_only`;
  // An empty page leaves one row of nulls beside the position and the count.
  const joined = await queryRows<Job & { cursorKey: string | null; totalCount: number | null; lastEventSeq: string }>(
    db,
    `WITH page_only AS (
       SELECT ${JOB_COLUMNS}, ${SORT_KEYS[q.order]} AS "cursorKey", ${column} AS "sortValue"
         FROM jobs j
        WHERE ${where} ${after}
        ORDER BY ${orderBy(column, 'j.id')}
        LIMIT ${limit})
     SELECT page.*, head.total AS "totalCount", head.seq AS "lastEventSeq"
       FROM (SELECT w.last_event_seq AS seq,
                    CASE WHEN ${withTotal}::boolean THEN (SELECT count(*)::int FROM jobs j WHERE ${where}) END AS total
               FROM workspaces w WHERE w.id = $1) head
       LEFT JOIN (${starters}) page ON true
      ORDER BY ${orderBy('page."sortValue"', 'page.id')}`,
    params,
  );
  if (joined.length === 0) return null; // the workspace is gone
  const head = joined[0];
  const rows = joined
    .filter((row) => row.id !== null)
    .map((row) => ({ ...jobFrom(row), cursorKey: row.cursorKey, starter: personFrom(row, 'starter_') }));
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

export type NewJob = Pick<Job, 'workspaceId' | 'type' | 'userId' | 'projectId' | 'datasetId' | 'folderId' | 'retryOfId' | 'apiKeyId' | 'heartbeatSeconds'>;

/** A new PROCESSING job; its start is its first report. */
export async function insertJob(tx: Queryable, job: NewJob): Promise<Job> {
  const row = await queryOne(
    tx,
    `INSERT INTO jobs AS j (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, folder_id, retry_of, api_key_id, heartbeat_seconds,
                           last_report_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'PROCESSING', 0, $4, $5, $6, $7, $8, $9, $10, now(), now(), now())
     RETURNING ${JOB_COLUMNS}`,
    [randomUUID(), job.workspaceId, job.type, job.userId, job.projectId, job.datasetId, job.folderId, job.retryOfId, job.apiKeyId, job.heartbeatSeconds],
  );
  return jobFrom(row!);
}

export interface JobChange {
  status: JobStatus;
  progress: number;
  errorMessage?: string;
  errorDetails?: string | null;
  cancelledBy?: string | null;
  /** A report of its worker (progress, completion, failure): moves lastReportAt. */
  reported?: boolean;
}

/** Writes a (locked) job's new state; a status other than PROCESSING finishes it. */
export async function updateJob(tx: Queryable, id: string, change: JobChange): Promise<Job> {
  const row = await queryOne(
    tx,
    `UPDATE jobs AS j
        SET status = $2, progress = $3, error_message = COALESCE($4, j.error_message), error_details = COALESCE($5, j.error_details),
            cancelled_by = CASE WHEN $2 = 'CANCELLED' THEN $6::uuid ELSE j.cancelled_by END,
            updated_at = now(), finished_at = CASE WHEN $2 = 'PROCESSING' THEN NULL ELSE now() END,
            last_report_at = CASE WHEN $7::boolean THEN now() ELSE j.last_report_at END
      WHERE j.id = $1
      RETURNING ${JOB_COLUMNS}`,
    [id, change.status, change.progress, change.errorMessage ?? null, change.errorDetails ?? null, change.cancelledBy ?? null, change.reported ?? false],
  );
  return jobFrom(row!);
}

/** A (locked) job's worker reported without changing anything: only its heartbeat moves (no event). */
export async function touchJobReport(tx: Queryable, id: string): Promise<Job> {
  const row = await queryOne(tx, `UPDATE jobs AS j SET last_report_at = now() WHERE j.id = $1 RETURNING ${JOB_COLUMNS}`, [id]);
  return jobFrom(row!);
}

/** Whether any job is due for the heartbeat sweep: one cheap statement, outside a transaction, on every round. */
export async function anySilentJob(db: Queryable): Promise<boolean> {
  const row = await queryOne<{ due: boolean }>(
    db,
    `${BACKGROUND} SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'PROCESSING' AND heartbeat_seconds IS NOT NULL
                                    AND last_report_at < now() - make_interval(secs => heartbeat_seconds)) AS due`,
  );
  return row?.due === true;
}

/**
 * The heartbeat sweep: PROCESSING jobs whose worker has been silent past their heartbeat turn
 * ERROR. SKIP LOCKED: a job being reported to (or swept by another instance) is left to that
 * transaction, and no job is taken twice. Answers the changed jobs in (workspace, id) order, the
 * order their events take the workspace rows' locks in.
 */
export async function failSilentJobs(tx: Queryable, limit: number): Promise<Job[]> {
  const rows = await queryRows(
    tx,
    `WITH due AS (
       SELECT id FROM jobs
        WHERE status = 'PROCESSING' AND heartbeat_seconds IS NOT NULL
          AND last_report_at < now() - make_interval(secs => heartbeat_seconds)
        ORDER BY last_report_at LIMIT $1
        FOR NO KEY UPDATE SKIP LOCKED)
     UPDATE jobs AS j
        SET status = 'ERROR', error_message = 'no report for ' || j.heartbeat_seconds || ' s', updated_at = now(), finished_at = now()
       FROM due WHERE j.id = due.id
     RETURNING ${JOB_COLUMNS}`,
    [limit],
  );
  return rows.map(jobFrom).sort((a, b) => a.workspaceId.localeCompare(b.workspaceId) || a.id.localeCompare(b.id));
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

/** The folder of this name in the workspace (names compare trimmed, case-insensitively), made if missing; a uri given becomes its uri. */
export async function folderNamed(tx: Queryable, workspaceId: string, name: string, uri: string | null): Promise<string> {
  // DO UPDATE rather than DO NOTHING: it returns the existing row, also one a concurrent import just made.
  const row = await queryOne<{ id: string }>(
    tx,
    `INSERT INTO storage_folders AS f (id, workspace_id, name, uri) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, lower(btrim(name))) DO UPDATE SET name = f.name, uri = COALESCE(EXCLUDED.uri, f.uri)
     RETURNING f.id`,
    [randomUUID(), workspaceId, name, uri],
  );
  return row!.id;
}

export function foldersByIds(db: Queryable, ids: readonly string[]): Promise<StorageFolder[]> {
  return queryRows<StorageFolder>(db, `SELECT ${columnsOf(StorageFolderEntity, 'f', { only: ['id', 'name', 'uri', 'workspaceId'] })} FROM storage_folders f WHERE f.id = ANY($1::uuid[])`, [
    ids,
  ]);
}
