import { isUuid } from '../../authorization/access';
import { listScope, type Visibility } from '../../authorization/lists';
import { eventCursor as eventCursorOf } from '../../events/job-event-log';
import type { Context } from '../../server/context';
import { AppError, badInput, notFound } from '../../server/errors';
import { runMutation, type Change } from '../common/mutation';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { workspaceUsers } from '../users/users.loaders';
import type { JobStatus, JobType } from './job.entity';
import { jobsById } from './job.loaders';
import type { FailJobInput, Job, JobFilter, JobProgressInput, StartJobInput } from './job.types';
import { folderNamed, insertJob, jobById, listJobs as listRows, lockJob, updateJob, type JobChange } from './jobs.data';

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

/** workspace.jobs: the jobs the viewer sees (the rule seeJobs and its scope), newest first, filtered by types and statuses. */
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
  const actor = await ctx.access.actor(workspaceId);
  if (!actor) throw notFound('workspace'); // the guard lets only JOINED members here
  const { types, statuses } = jobFilterSets(args.filter);
  const page = await listRows(ctx.db, {
    workspaceId,
    visible: listScope('seeJobs', actor) as Visibility<'job'>,
    types: types && [...types],
    statuses: statuses && [...statuses],
    after: key as [string, string] | null,
    limit,
    withTotal: wants.totalCount,
    withStarters: wants.starters,
  });
  if (!page) throw notFound('workspace'); // deleted since the guard saw it
  const people = workspaceUsers(ctx);
  for (const row of page.rows) if (row.starter) people.prime({ workspaceId, userId: row.starter.id }, row.starter);
  // The key keeps the microseconds: a JS Date would round them off and repeat or skip rows.
  const jobs = page.rows.map(({ starter: _s, ...job }) => job);
  return { ...toPage(jobs, limit, page.total, (row) => [row.cursorAt, row.id]), eventCursor: eventCursorOf({ workspaceId, seq: page.lastEventSeq }) };
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
      const folderId = input.folderName ? await folderNamed(tx, input.workspaceId, input.folderName) : null;
      const job = await insertJob(tx, {
        workspaceId: input.workspaceId,
        type: input.type,
        userId: ctx.viewer!.userId,
        projectId: dataImport ? null : resourceId,
        datasetId: dataImport ? resourceId : null,
        folderId,
        retryOfId: null,
      });
      return { result: job, jobEvents: [job] };
    },
  });
}

/** reportJobProgress: 0 to 1, never lower than before (BAD_USER_INPUT); the same value changes nothing. */
export function reportJobProgress(ctx: Context, input: JobProgressInput): Promise<Job> {
  const { progress } = input;
  return changeProcessingJob(ctx, input.jobId, (job) => {
    if (progress < job.progress) throw badInput('input.progress', `progress only grows: it is ${job.progress}`, { current: job.progress });
    return progress === job.progress ? null : { status: 'PROCESSING', progress };
  });
}

export function completeJob(ctx: Context, jobId: string): Promise<Job> {
  return changeProcessingJob(ctx, jobId, () => ({ status: 'SUCCESS', progress: 1 }));
}

export function failJob(ctx: Context, input: FailJobInput): Promise<Job> {
  return changeProcessingJob(ctx, input.jobId, (job) => ({ status: 'ERROR', progress: job.progress, errorMessage: input.errorMessage, errorDetails: input.errorDetails || null }));
}

export function cancelJob(ctx: Context, jobId: string): Promise<Job> {
  return changeProcessingJob(ctx, jobId, (job) => ({ status: 'CANCELLED', progress: job.progress, cancelledBy: ctx.viewer!.userId }));
}

/** retryJob (the rule retryJob, which is startJob's on the job's resource): a new PROCESSING job with the same type and target, linked by retryOf. */
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
      const retry = await insertJob(tx, { ...job, userId: ctx.viewer!.userId, retryOfId: job.id });
      return { result: retry, jobEvents: [retry] };
    },
  });
}

/**
 * The one path of every change to an existing job: lock its row (so concurrent changes of one
 * job see each other's result), refuse unless it is PROCESSING (INVARIANT: a finished job is
 * final), apply the change the caller computes from what it found, and log the event.
 */
async function changeProcessingJob(ctx: Context, jobId: string, change: (job: Job) => JobChange | null): Promise<Job> {
  const facts = await ctx.access.job(jobId);
  if (!facts) throw notFound('job');
  return runMutation(ctx, {
    rule: 'updateJob',
    args: { jobId },
    workspaceId: facts.workspaceId,
    what: 'job',
    lock: (tx) => lockJob(tx, jobId),
    change: async (tx, job): Promise<Change<Job>> => {
      if (!job) throw notFound('job');
      if (job.status !== 'PROCESSING') throw new AppError('INVARIANT', `This job is ${job.status}: only a PROCESSING job changes`, { status: job.status });
      const next = change(job);
      if (next === null) return { result: job };
      const updated = await updateJob(tx, jobId, next);
      return { result: updated, jobEvents: [updated] };
    },
  });
}
