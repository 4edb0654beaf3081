import { isUuid, type JobFacts } from '../../authorization/access';
import { listScope, type Visibility } from '../../authorization/lists';
import { eventCursor as eventCursorOf } from '../../events/job-event-log';
import type { Context } from '../../server/context';
import { AppError, badInput, notFound } from '../../server/errors';
import { runMutation, type Change } from '../common/mutation';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { workspaceUsers } from '../users/users.loaders';
import { JOB_STATUSES, type JobStatus, type JobType } from './job.entity';
import { jobsById } from './job.loaders';
import type { FailJobInput, Job, JobFilter, JobOrder, JobOrderField, JobProgressInput, StartJobInput } from './job.types';
import { folderNamed, insertJob, jobById, listJobs as listRows, lockJob, touchJobReport, updateJob, type JobChange } from './jobs.data';

/**
 * The Activity Center's jobs. Every change takes the mutation path (common/mutation.ts): it
 * locks the job's row, checks the rule again, writes the change, and its event goes to the log
 * in the same transaction and to the feed after the commit.
 */

/** A filter's lists as sets; null (or an empty list) means any. */
export function jobFilterSets(filter: JobFilter | null | undefined): { types: Set<JobType> | null; statuses: Set<JobStatus> | null } {
  const set = <T>(values: T[] | null | undefined) => (values && values.length > 0 ? new Set(values) : null);
  return { types: set(filter?.types), statuses: set(filter?.statuses) };
}

/** A list cursor's time: what to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') writes, nothing looser. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * workspace.jobs: the jobs the viewer sees (the rule seeJobs and its scope), filtered, in the
 * asked order (newest first by default). userIds only narrows: the scope already holds a
 * non-ADMIN to their own jobs.
 */
export async function listJobs(
  ctx: Context,
  workspaceId: string,
  args: { filter: JobFilter | null | undefined; orderBy: JobOrder | null | undefined; first: number | null | undefined; after: string | null | undefined },
  wants: { totalCount: boolean; starters: boolean },
): Promise<Page<Job> & { eventCursor: string }> {
  const limit = pageSize(args.first);
  const order = args.orderBy?.field ?? 'CREATED_AT';
  const direction = args.orderBy?.direction ?? 'DESC';
  const after = jobsCursor(args.after, order, direction);
  const actor = await ctx.access.actor(workspaceId);
  if (!actor) throw notFound('workspace'); // the guard lets only JOINED members here
  const { filter } = args;
  const { types, statuses } = jobFilterSets(filter);
  const page = await listRows(ctx.db, {
    workspaceId,
    visible: listScope('seeJobs', actor) as Visibility<'job'>,
    types: types && [...types],
    statuses: statuses && [...statuses],
    // A list of ids that are not ids names nobody: those match no job (rather than failing the cast).
    userIds: filter?.userIds?.length ? filter.userIds.filter(isUuid) : null,
    createdAfter: filter?.createdAfter ?? null,
    createdBefore: filter?.createdBefore ?? null,
    order,
    descending: direction === 'DESC',
    after,
    limit,
    withTotal: wants.totalCount,
    withStarters: wants.starters,
  });
  if (!page) throw notFound('workspace'); // deleted since the guard saw it
  const people = workspaceUsers(ctx);
  for (const row of page.rows) if (row.starter) people.prime({ workspaceId, userId: row.starter.id }, row.starter);
  // The key keeps the microseconds: a JS Date would round them off and repeat or skip rows.
  const rows = page.rows.map(({ starter: _s, ...job }) => job);
  const built = toPage(rows, limit, page.total, (row) => [order, direction, row.cursorKey, row.id]);
  const nodes = built.nodes.map(({ cursorKey: _k, ...job }) => job);
  return { ...built, nodes, eventCursor: eventCursorOf({ workspaceId, seq: page.lastEventSeq }) };
}

/** A cursor of this order and direction (one of another order is BAD_USER_INPUT: it would skip or repeat rows). */
function jobsCursor(after: string | null | undefined, order: JobOrderField, direction: string): { key: string | null; id: string } | null {
  const cursor = decodeCursor(after, 4, { nullable: true });
  if (!cursor) return null;
  const [field, dir, key, id] = cursor;
  if (field !== order || dir !== direction) throw badInput('after', 'after is a cursor of another order');
  const validKey =
    order === 'STATUS'
      ? (JOB_STATUSES as readonly unknown[]).includes(key)
      : (key === null && order === 'FINISHED_AT') || (typeof key === 'string' && CURSOR_TIME.test(key) && !Number.isNaN(Date.parse(key)));
  if (!validKey || !isUuid(id)) throw badInput('after', 'after is not a valid cursor');
  return { key: key as string | null, id: id as string };
}

/** workspace.job(id): the rule seeJob has decided the viewer sees it. */
export function findJob(ctx: Context, id: string): Promise<Job | null> {
  return jobsById(ctx).load(id.toLowerCase());
}

/** startJob (the rule startJob: the workspace, the resource its type needs, and the viewer's role there). */
export async function startJob(ctx: Context, input: StartJobInput): Promise<Job> {
  const dataImport = input.type === 'DATA_IMPORT';
  const resourceId = dataImport ? input.datasetId! : input.projectId!;
  return runMutation(ctx, {
    rule: 'startJob',
    args: { input },
    workspaceId: input.workspaceId,
    what: dataImport ? 'dataset' : 'project',
    change: async (tx) => {
      const folderId = input.folderName ? await folderNamed(tx, input.workspaceId, input.folderName, input.folderUri ?? null) : null;
      const job = await insertJob(tx, {
        workspaceId: input.workspaceId,
        type: input.type,
        userId: ctx.viewer!.userId,
        apiKeyId: ctx.viewer!.apiKey?.id ?? null,
        projectId: dataImport ? null : resourceId,
        datasetId: dataImport ? resourceId : null,
        folderId,
        retryOfId: null,
        heartbeatSeconds: input.heartbeatSeconds ?? null,
      });
      return { result: job, jobEvents: [job] };
    },
  });
}

/** reportJobProgress: 0 to 1, never lower than before (BAD_USER_INPUT); the same value changes nothing but the heartbeat. */
export function reportJobProgress(ctx: Context, input: JobProgressInput): Promise<Job> {
  const { progress } = input;
  return changeProcessingJob(ctx, input.jobId, (job) => {
    if (progress < job.progress) throw badInput('input.progress', `progress only grows: it is ${job.progress}`, { current: job.progress });
    return progress === job.progress ? 'heartbeat' : { status: 'PROCESSING', progress, reported: true };
  });
}

export function completeJob(ctx: Context, jobId: string): Promise<Job> {
  return changeProcessingJob(ctx, jobId, () => ({ status: 'SUCCESS', progress: 1, reported: true }));
}

export function failJob(ctx: Context, input: FailJobInput): Promise<Job> {
  return changeProcessingJob(ctx, input.jobId, (job) => ({
    status: 'ERROR',
    progress: job.progress,
    errorMessage: input.errorMessage,
    errorDetails: input.errorDetails || null,
    reported: true,
  }));
}

export function cancelJob(ctx: Context, jobId: string): Promise<Job> {
  return changeProcessingJob(ctx, jobId, (job) => ({ status: 'CANCELLED', progress: job.progress, cancelledBy: ctx.viewer!.userId }));
}

/**
 * retryJob (the rule retryJob, which is startJob's on the job's resource): a new PROCESSING job
 * with the same type, target and heartbeat, linked by retryOf; started by the retrying person and key.
 */
export async function retryJob(ctx: Context, jobId: string): Promise<Job> {
  const original = await ctx.access.job(jobId);
  if (!original) throw notFound('job');
  return runMutation(ctx, {
    rule: 'retryJob',
    args: { jobId },
    workspaceId: original.workspaceId,
    what: 'job',
    change: async (tx) => {
      // A finished job never changes again (only PROCESSING ones do), so no lock is needed to read it.
      const job = await jobById(tx, jobId);
      if (!job) throw notFound('job');
      if (job.status !== 'ERROR' && job.status !== 'CANCELLED') {
        throw new AppError('INVARIANT', `Only a job in ERROR or CANCELLED can be retried; this one is ${job.status}`, { status: job.status });
      }
      if (job.type === 'DATA_IMPORT' ? job.datasetId === null : job.projectId === null) throw new AppError('INVARIANT', 'What this job worked on no longer exists');
      const retry = await insertJob(tx, { ...job, userId: ctx.viewer!.userId, apiKeyId: ctx.viewer!.apiKey?.id ?? null, retryOfId: job.id });
      return { result: retry, jobEvents: [retry] };
    },
  });
}

/** What the rules read of a job, from its locked row. */
function jobFacts(job: Job): JobFacts {
  return { id: job.id, workspaceId: job.workspaceId, startedBy: job.userId, type: job.type, status: job.status, resourceId: job.projectId ?? job.datasetId };
}

/**
 * The one path of every change to an existing job: lock its row (so concurrent changes of one
 * job see each other's result), refuse unless it is PROCESSING (INVARIANT: a finished job is
 * final), apply the change the caller computes from what it found, and log the event.
 */
async function changeProcessingJob(ctx: Context, jobId: string, change: (job: Job) => JobChange | 'heartbeat'): Promise<Job> {
  const facts = await ctx.access.job(jobId);
  if (!facts) throw notFound('job');
  return runMutation(ctx, {
    rule: 'updateJob',
    args: { jobId },
    workspaceId: facts.workspaceId,
    what: 'job',
    lock: async (tx, _people, access) => {
      const job = await lockJob(tx, jobId);
      if (job) access.primeJob(jobFacts(job));
      return job;
    },
    change: async (tx, job): Promise<Change<Job>> => {
      if (!job) throw notFound('job');
      if (job.status !== 'PROCESSING') throw new AppError('INVARIANT', `This job is ${job.status}: only a PROCESSING job changes`, { status: job.status });
      const next = change(job);
      // A report that changes nothing still says the worker is alive; the feed has nothing to tell.
      if (next === 'heartbeat') return { result: await touchJobReport(tx, jobId) };
      const updated = await updateJob(tx, jobId, next);
      return { result: updated, jobEvents: [updated] };
    },
  });
}
