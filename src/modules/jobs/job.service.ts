import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../../authorization/access';
import { queryOne, queryRows } from '../../database/sql';
import { appendJobEvent, eventCursor as eventCursorOf } from '../../events/job-event-log';
import type { Context } from '../../server/context';
import { AppError, badInput, notFound } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { cleanDescription, cleanName } from '../common/validation';
import type { JobStatus, JobType } from './job.entity';
import { JOB_COLUMNS, jobFrom, jobsById } from './job.loaders';
import { workspaceUserColumns, workspaceUserFrom, workspaceUsers } from '../users/workspace-user.loader';
import type { FailJobInput, Job, JobFilter, JobProgressInput, StartJobInput } from './job.types';

/**
 * The Activity Center's jobs. Every change runs in one transaction that locks the job's row,
 * checks the rule on what it found, writes the change and its job_events row (job-event-log.ts),
 * and after commit wakes the feed. The rules (who may) are checked by the guard before these run.
 */

/** A filter's lists as sets; null (or an empty list) means any. */
export function jobFilterSets(filter: JobFilter | null | undefined): { types: Set<JobType> | null; statuses: Set<JobStatus> | null } {
  const set = <T>(values: T[] | null | undefined) => (values && values.length > 0 ? new Set(values) : null);
  return { types: set(filter?.types), statuses: set(filter?.statuses) };
}

/** Whether the viewer sees a job: ADMINs every job, others the jobs they started. */
export async function seesJob(ctx: Context, job: Pick<Job, 'workspaceId' | 'userId'>): Promise<boolean> {
  const membership = await ctx.access.joined(job.workspaceId);
  return membership !== null && (membership.role === 'ADMIN' || job.userId === ctx.viewer?.userId);
}

/** A list cursor's time: what to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') writes, nothing looser. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * workspace.jobs: newest first, filtered by types and statuses. One statement reads the page,
 * the feed's position and (when asked for) the total: one snapshot, so every event up to that
 * position is in the page, and every later one is the feed's to bring. When the page's
 * `user`s are asked for, the same statement reads them too, for the people loader.
 */
export async function listJobs(
  ctx: Context,
  workspaceId: string,
  args: { filter: JobFilter | null | undefined; first: number | null | undefined; after: string | null | undefined },
  wants: { totalCount: boolean; starters: boolean },
): Promise<Page<Job> & { eventCursor: string }> {
  const limit = pageSize(args.first);
  const key = decodeCursor(args.after, 2);
  if (key && (typeof key[0] !== 'string' || !CURSOR_TIME.test(key[0]) || Number.isNaN(Date.parse(key[0])) || !isUuid(key[1]))) {
    throw badInput('after', 'after is not a valid cursor');
  }
  const membership = await ctx.access.joined(workspaceId);
  if (!membership) throw notFound('workspace'); // the guard lets only JOINED members here
  const onlyUser = membership.role === 'ADMIN' ? null : ctx.viewer!.userId;
  const { types, statuses } = jobFilterSets(args.filter);
  const where = `j.workspace_id = $1 AND ($2::uuid IS NULL OR j.user_id = $2::uuid)
     AND ($3::text[] IS NULL OR j.type = ANY($3::text[])) AND ($4::text[] IS NULL OR j.status = ANY($4::text[]))`;
  const params = [workspaceId, onlyUser, types && [...types], statuses && [...statuses]];
  // The starters are joined to the page, after its LIMIT: the page's plan stays the jobs index's.
  const starters = wants.starters
    ? `SELECT p.*, ${workspaceUserColumns('starter_')} FROM page_only p
         LEFT JOIN memberships m ON m.workspace_id = p."workspaceId" AND m.user_id = p."userId"
         LEFT JOIN users u ON u.id = m.user_id LEFT JOIN workspaces w ON w.id = m.workspace_id`
    : `SELECT * FROM page_only`;
  // An empty page leaves one row of nulls beside the position and the count.
  const joined = await queryRows<Job & { cursorAt: string; totalCount: number | null; lastEventSeq: string }>(
    ctx.db,
    `WITH page_only AS (
       SELECT ${JOB_COLUMNS}, to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
         FROM jobs j
        WHERE ${where} AND ($5::timestamptz IS NULL OR (j.created_at, j.id) < ($5::timestamptz, $6::uuid))
        ORDER BY j.created_at DESC, j.id DESC
        LIMIT $7)
     SELECT page.*, head.total AS "totalCount", head.seq AS "lastEventSeq"
       FROM (SELECT w.last_event_seq AS seq,
                    CASE WHEN $8::boolean THEN (SELECT count(*)::int FROM jobs j WHERE ${where}) END AS total
               FROM workspaces w WHERE w.id = $1) head
       LEFT JOIN (${starters}) page ON true
      ORDER BY page."cursorAt" DESC, page.id DESC`,
    [...params, key?.[0] ?? null, key?.[1] ?? null, limit + 1, wants.totalCount],
  );
  if (joined.length === 0) throw notFound('workspace'); // deleted since the guard saw it
  const head = joined[0];
  const people = workspaceUsers(ctx);
  const rows = joined
    .filter((row) => row.id !== null)
    .map((row) => {
      const starter = workspaceUserFrom(row, 'starter_');
      if (starter) people.prime({ workspaceId, userId: starter.id }, starter);
      return { ...jobFrom(row), cursorAt: row.cursorAt };
    });
  // The key keeps the microseconds: a JS Date would round them off and repeat or skip rows.
  return {
    ...toPage(rows, limit, head.totalCount ?? 0, (row) => [row.cursorAt, row.id]),
    eventCursor: eventCursorOf({ workspaceId, seq: Number(head.lastEventSeq) }),
  };
}

/** workspace.job(id): null unless the viewer sees it. */
export async function findJob(ctx: Context, workspaceId: string, id: string): Promise<Job | null> {
  if (!isUuid(id)) return null;
  const job = await jobsById(ctx).load(id);
  if (!job || job.workspaceId !== workspaceId) return null;
  return (await seesJob(ctx, job)) ? job : null;
}

/** startJob: the guard has checked the workspace, the resource the type needs, and the viewer's role on it. */
export async function startJob(ctx: Context, input: StartJobInput): Promise<Job> {
  const dataImport = input.type === 'DATA_IMPORT';
  if (dataImport && input.projectId != null) throw badInput('input.projectId', 'DATA_IMPORT takes datasetId, not projectId');
  if (!dataImport && input.datasetId != null) throw badInput('input.datasetId', `${input.type} takes projectId, not datasetId`);
  if (!dataImport && input.folderName != null) throw badInput('input.folderName', 'Only DATA_IMPORT takes a storage folder');
  const folderName = dataImport && input.folderName != null ? cleanName(input.folderName, 'input.folderName') : null;
  return changeCommitted(ctx, async (tx) => {
    const folderId = folderName === null ? null : await folderNamed(tx, input.workspaceId, folderName);
    return insertJob(tx, {
      workspaceId: input.workspaceId,
      type: input.type,
      userId: ctx.viewer!.userId,
      projectId: dataImport ? null : input.projectId!,
      datasetId: dataImport ? input.datasetId! : null,
      folderId,
      retryOfId: null,
    });
  });
}

/** reportJobProgress: 0 to 1, never lower than before (BAD_USER_INPUT); the same value changes nothing. */
export async function reportJobProgress(ctx: Context, input: JobProgressInput): Promise<Job> {
  const progress = input.progress;
  if (!Number.isFinite(progress) || progress < 0 || progress > 1) throw badInput('input.progress', 'progress must be from 0 to 1');
  return updateProcessingJob(ctx, input.jobId, (job) => {
    if (progress < job.progress) {
      throw badInput('input.progress', `progress only grows: it is ${job.progress}`, { current: job.progress });
    }
    return progress === job.progress ? null : { status: 'PROCESSING', progress };
  });
}

export function completeJob(ctx: Context, jobId: string): Promise<Job> {
  return updateProcessingJob(ctx, jobId, () => ({ status: 'SUCCESS', progress: 1 }));
}

export function failJob(ctx: Context, input: FailJobInput): Promise<Job> {
  const errorMessage = cleanName(input.errorMessage, 'input.errorMessage', 1_000);
  const errorDetails = cleanDescription(input.errorDetails, 'input.errorDetails', 20_000);
  return updateProcessingJob(ctx, input.jobId, (job) => ({ status: 'ERROR', progress: job.progress, errorMessage, errorDetails }));
}

export function cancelJob(ctx: Context, jobId: string): Promise<Job> {
  return updateProcessingJob(ctx, jobId, (job) => ({ status: 'CANCELLED', progress: job.progress }));
}

/** retryJob: a new PROCESSING job with the same type and target, linked by retryOf; only from ERROR or CANCELLED. */
export async function retryJob(ctx: Context, jobId: string): Promise<Job> {
  return changeCommitted(ctx, async (tx) => {
    // A finished job never changes again (only PROCESSING ones do), so no lock is needed to read it.
    const original = await queryOne<Job>(tx, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1`, [jobId]);
    if (!original) throw notFound('job');
    if (original.status !== 'ERROR' && original.status !== 'CANCELLED') {
      throw new AppError('INVARIANT', `Only a job in ERROR or CANCELLED can be retried; this one is ${original.status}`, { status: original.status });
    }
    if (original.type === 'DATA_IMPORT' ? original.datasetId === null : original.projectId === null) {
      throw new AppError('INVARIANT', 'What this job worked on no longer exists');
    }
    return insertJob(tx, {
      workspaceId: original.workspaceId,
      type: original.type,
      userId: ctx.viewer!.userId,
      projectId: original.projectId,
      datasetId: original.datasetId,
      folderId: original.folderId,
      retryOfId: original.id,
    });
  });
}

interface JobChange {
  status: JobStatus;
  progress: number;
  errorMessage?: string;
  errorDetails?: string | null;
}

/**
 * The one path of every change to an existing job: lock its row (so concurrent changes of one
 * job see each other's result), refuse unless it is PROCESSING (INVARIANT: a finished job is
 * final), apply the change the caller computes from what it found, and log the event.
 */
function updateProcessingJob(ctx: Context, jobId: string, change: (job: Job) => JobChange | null): Promise<Job> {
  return changeCommitted(ctx, async (tx) => {
    const job = await queryOne<Job>(tx, `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1 FOR NO KEY UPDATE`, [jobId]);
    if (!job) throw notFound('job');
    if (job.status !== 'PROCESSING') {
      throw new AppError('INVARIANT', `This job is ${job.status}: only a PROCESSING job changes`, { status: job.status });
    }
    const next = change(job);
    if (next === null) return { job, seq: null };
    const updated = await queryOne<Job>(
      tx,
      `UPDATE jobs AS j
          SET status = $2, progress = $3, error_message = COALESCE($4, j.error_message), error_details = COALESCE($5, j.error_details),
              updated_at = now(), finished_at = CASE WHEN $2 = 'PROCESSING' THEN NULL ELSE now() END
        WHERE j.id = $1
        RETURNING ${JOB_COLUMNS}`,
      [jobId, next.status, next.progress, next.errorMessage ?? null, next.errorDetails ?? null],
    );
    return { job: updated!, seq: await appendJobEvent(tx, updated!) };
  });
}

async function insertJob(
  tx: EntityManager,
  job: Pick<Job, 'workspaceId' | 'type' | 'userId' | 'projectId' | 'datasetId' | 'folderId' | 'retryOfId'>,
): Promise<{ job: Job; seq: number }> {
  const row = await queryOne<Job>(
    tx,
    `INSERT INTO jobs AS j (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, folder_id, retry_of, created_at, updated_at)
     VALUES ($1, $2, $3, 'PROCESSING', 0, $4, $5, $6, $7, $8, now(), now())
     RETURNING ${JOB_COLUMNS}`,
    [randomUUID(), job.workspaceId, job.type, job.userId, job.projectId, job.datasetId, job.folderId, job.retryOfId],
  );
  return { job: row!, seq: await appendJobEvent(tx, row!) };
}

/** The folder of this name in the workspace (names compare trimmed, case-insensitively), made if missing. */
async function folderNamed(tx: EntityManager, workspaceId: string, name: string): Promise<string> {
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

/** Runs a change in a transaction, then (after commit) wakes the feed here and on every other instance. */
async function changeCommitted(ctx: Context, work: (tx: EntityManager) => Promise<{ job: Job; seq: number | null }>): Promise<Job> {
  const { job, seq } = await ctx.db.transaction(work);
  if (seq !== null) ctx.services.jobFeed.published(job.workspaceId, seq);
  return job;
}
