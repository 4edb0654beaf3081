import type { DataSource, EntityManager } from 'typeorm';
import { columnsOf } from '../database/columns';
import { BACKGROUND, queryOne, queryRows } from '../database/sql';
import { JobEventEntity } from './job-event.entity';
import { JOB_EVENTS_CHANNEL } from './notifier';
import { decodeCursor, encodeCursor } from '../modules/common/pagination';
import type { JobStatus, JobType } from '../modules/jobs/job.entity';
import type { Job } from '../modules/jobs/job.types';
import { PREFIXED_JOB_COLUMNS, prefixedJobFrom } from '../modules/jobs/jobs.data';
import { AppError, badInput } from '../server/errors';

type Executor = Pick<DataSource | EntityManager, 'query'>;

/** One row of the log, as the feed reads it. */
export interface JobEventRow {
  workspaceId: string;
  seq: number;
  jobId: string;
  jobUserId: string;
  jobType: JobType;
  status: JobStatus;
  progress: number;
  occurredAt: Date;
}

/** A row of the log with its job as it is now (null once deleted), read in the same statement. */
export interface JobEventWithJob extends JobEventRow {
  job: Job | null;
}

/** What an event records of the job it is about. */
export interface JobEventSource {
  id: string;
  workspaceId: string;
  userId: string;
  type: JobType;
  status: JobStatus;
  progress: number;
}

const COLUMNS = columnsOf(JobEventEntity, 'e', { only: ['workspaceId', 'seq', 'jobId', 'jobUserId', 'jobType', 'status', 'progress', 'occurredAt'] });

/**
 * Writes the event of a job's change, in the transaction that made the change. Its seq comes
 * from bumping workspaces.last_event_seq: the UPDATE takes the workspace row's lock and holds it
 * until commit, so a later seq can never commit before an earlier one, and a reader of
 * `seq > cursor` never skips an event that commits after it looked. Call it LAST in the
 * transaction: the lock serialises every job change of the workspace while it is held.
 * The same statement NOTIFYs every instance (PostgreSQL delivers it at commit, and never for a
 * rollback): no round trip after the commit, and no commit without its wake-up.
 */
export async function appendJobEvent(tx: EntityManager, job: JobEventSource): Promise<number> {
  const row = await queryOne<{ seq: number }>(
    tx,
    `WITH bumped AS (UPDATE workspaces SET last_event_seq = last_event_seq + 1 WHERE id = $1 RETURNING last_event_seq),
          added AS (INSERT INTO job_events (workspace_id, seq, job_id, job_user_id, job_type, status, progress, occurred_at)
                    SELECT $1, bumped.last_event_seq, $2, $3, $4, $5, $6, now() FROM bumped
                    RETURNING seq)
     SELECT added.seq, pg_notify('${JOB_EVENTS_CHANNEL}', concat($1::uuid, ':', added.seq)) FROM added`,
    [job.workspaceId, job.id, job.userId, job.type, job.status, job.progress],
  );
  if (!row) throw new Error(`no workspace ${job.workspaceId} for a job event`);
  return Number(row.seq);
}

/**
 * Events of a workspace after `afterSeq`, oldest first, each with its job as it is now: nearly
 * every payload shows the job, and reading it here saves the feed a round trip a round.
 */
export async function readEventsAfter(db: Executor, workspaceId: string, afterSeq: number, limit: number): Promise<JobEventWithJob[]> {
  const rows = await queryRows<Record<string, any>>(
    db,
    `SELECT ${COLUMNS}, ${PREFIXED_JOB_COLUMNS}
       FROM job_events e LEFT JOIN jobs j ON j.id = e.job_id
      WHERE e.workspace_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
    [workspaceId, afterSeq, limit],
  );
  return rows.map((row) => ({
    workspaceId: row.workspaceId,
    seq: Number(row.seq),
    jobId: row.jobId,
    jobUserId: row.jobUserId,
    jobType: row.jobType,
    status: row.status,
    progress: row.progress,
    occurredAt: row.occurredAt,
    job: prefixedJobFrom(row),
  }));
}

/** The cursor of an event: opaque to clients, [workspace, seq] inside. */
export function eventCursor(row: Pick<JobEventRow, 'workspaceId' | 'seq'>): string {
  return encodeCursor([row.workspaceId, row.seq]);
}

/** The seq inside a cursor of this workspace's feed; BAD_USER_INPUT for anything else. */
export function decodeEventCursor(after: string | null | undefined, workspaceId: string): number | null {
  const key = decodeCursor(after, 2);
  if (key === null) return null;
  const [workspace, seq] = key;
  if (workspace !== workspaceId || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw badInput('after', 'after is not a cursor of this workspace\'s feed');
  }
  return seq;
}

export const resyncRequired = () =>
  new AppError('RESYNC_REQUIRED', 'The feed no longer holds every event after this cursor: reload the jobs and subscribe again without `after`');

/**
 * Where a feed starts: after the cursor, when the log still holds every event since then;
 * otherwise RESYNC_REQUIRED (also for a cursor beyond the log's end, as after a restore).
 * Without a cursor: the newest committed event, so the feed starts with what happens next.
 */
export async function startPosition(db: Executor, workspaceId: string, after: number | null): Promise<number> {
  const row = await queryOne<{ last: number; next: number | null }>(
    db,
    `SELECT w.last_event_seq AS last,
            (SELECT min(e.seq) FROM job_events e WHERE e.workspace_id = w.id AND e.seq > $2) AS next
       FROM workspaces w WHERE w.id = $1`,
    [workspaceId, after ?? 0],
  );
  if (!row) throw resyncRequired(); // the guard saw the workspace; it has just been deleted
  const last = Number(row.last);
  if (after === null) return last;
  if (after > last) throw resyncRequired();
  // seq is dense (a rolled-back change rolls back its bump too), so anything but after + 1
  // as the first event after the cursor means the events in between were pruned.
  if (after < last && Number(row.next) !== after + 1) throw resyncRequired();
  return after;
}

/**
 * Deletes the events older than the cutoff, as a prefix of each workspace's log (occurred_at is
 * the time its transaction began, so it is not strictly ordered by seq: cutting by seq keeps
 * the rest dense). Never past a webhook's position: events a webhook has not yet turned into
 * deliveries stay (a delivery keeps its own copy of the event after that). Answers how many rows went.
 */
export async function pruneEvents(db: Executor, olderThan: Date): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    `WITH old AS (SELECT e.workspace_id, LEAST(max(e.seq), (SELECT min(w.event_seq) FROM webhooks w WHERE w.workspace_id = e.workspace_id)) AS upto
                   FROM job_events e WHERE e.occurred_at < $1 GROUP BY e.workspace_id),
          gone AS (DELETE FROM job_events e USING old WHERE e.workspace_id = old.workspace_id AND e.seq <= old.upto RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [olderThan],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The log's size (PostgreSQL's estimate once the table was analysed: counting a large log on
 * every scrape would cost more than the answer is worth) and its oldest event's age, for /metrics.
 */
export async function eventLogStats(db: DataSource): Promise<{ rows: number; oldestSeconds: number }> {
  const row = await queryOne<{ rows: number | string; oldest: number | string | null }>(
    db,
    `${BACKGROUND} SELECT CASE WHEN c.reltuples < 0 THEN (SELECT count(*) FROM job_events) ELSE c.reltuples END::bigint AS rows,
            extract(epoch FROM now() - (SELECT min(occurred_at) FROM job_events))::float8 AS oldest
       FROM pg_class c WHERE c.oid = 'job_events'::regclass`,
  );
  return { rows: Number(row?.rows ?? 0), oldestSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
}
