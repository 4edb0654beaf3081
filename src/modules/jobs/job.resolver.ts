import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { jobCapabilities } from '../../authorization/capabilities';
import { Auth } from '../../authorization/guard';
import { scopes, sees, seesEvery } from '../../authorization/scopes';
import { eventCursor, type JobEventRow } from '../../events/job-event-log';
import { subscribeJobEvents } from '../../events/job-events.subscription';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { selectsSubField } from '../common/selection';
import { resourcesById } from '../resources/resource.loaders';
import type { Resource } from '../resources/resource.types';
import { Dataset, Project } from '../resources/resource.types';
import { visiblePerson } from '../users/users.loaders';
import { WorkspaceUser } from '../users/workspace-user.types';
import { Workspace } from '../workspaces/workspace.types';
import { foldersById, jobsById } from './job.loaders';
import * as jobs from './job.service';
import { FailJobInput, Job, JobCapabilities, JobConnection, JobEvent, JobFilter, JobOrder, JobProgressInput, StartJobInput, StorageFolder } from './job.types';
import { apiKeysById } from '../api-keys/api-key.loaders';
import { ApiKey } from '../api-keys/api-key.types';

@Resolver(() => Job)
export class JobResolver {
  @Mutation(() => Job, {
    description:
      'DATA_IMPORT needs ADMIN on the dataset; LABEL_IMPORT and MODEL_TRAINING need ADMIN or\nTEAM_MANAGER on the project; workspace ADMINs may start any. The job starts PROCESSING.',
  })
  @Auth('startJob')
  startJob(@Arg('input') input: StartJobInput, @Ctx() ctx: Context): Promise<Job> {
    return jobs.startJob(ctx, input);
  }

  @Mutation(() => Job, { description: "The job's starter or a workspace ADMIN, while the job is PROCESSING; progress only grows." })
  @Auth('updateJob')
  reportJobProgress(@Arg('input') input: JobProgressInput, @Ctx() ctx: Context): Promise<Job> {
    return jobs.reportJobProgress(ctx, input);
  }

  @Mutation(() => Job)
  @Auth('updateJob')
  completeJob(@Arg('jobId', () => ID) jobId: string, @Ctx() ctx: Context): Promise<Job> {
    return jobs.completeJob(ctx, jobId);
  }

  @Mutation(() => Job)
  @Auth('updateJob')
  failJob(@Arg('input') input: FailJobInput, @Ctx() ctx: Context): Promise<Job> {
    return jobs.failJob(ctx, input);
  }

  @Mutation(() => Job, { description: 'The starter or a workspace ADMIN, while PROCESSING.' })
  @Auth('updateJob')
  cancelJob(@Arg('jobId', () => ID) jobId: string, @Ctx() ctx: Context): Promise<Job> {
    return jobs.cancelJob(ctx, jobId);
  }

  @Mutation(() => Job, {
    description: 'A new PROCESSING job with the same type and target, for a job in ERROR or CANCELLED; needs the right to start it.',
  })
  @Auth('retryJob')
  retryJob(@Arg('jobId', () => ID) jobId: string, @Ctx() ctx: Context): Promise<Job> {
    return jobs.retryJob(ctx, jobId);
  }

  @FieldResolver(() => WorkspaceUser, { description: 'Who started the job.' })
  async user(@Root() job: Job, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    // Whoever sees a job sees its starter (ADMINs every person; others only their own jobs), REMOVED ones too.
    const user = await visiblePerson(ctx, job.workspaceId, job.userId);
    if (!user) throw new Error(`job ${job.id}: its starter is not to be seen`);
    return user;
  }

  @FieldResolver(() => WorkspaceUser, {
    nullable: true,
    description: 'Who cancelled it, when CANCELLED (null: no one the viewer may see, or the service did, e.g. an operator removed its starter).',
  })
  cancelledBy(@Root() job: Job, @Ctx() ctx: Context): Promise<WorkspaceUser | null> {
    return visiblePerson(ctx, job.workspaceId, job.status === 'CANCELLED' ? job.cancelledById : null);
  }

  @FieldResolver(() => Project, { nullable: true })
  project(@Root() job: Job, @Ctx() ctx: Context): Promise<Resource | null> {
    return visibleResource(ctx, job.workspaceId, job.projectId);
  }

  @FieldResolver(() => Dataset, { nullable: true })
  dataset(@Root() job: Job, @Ctx() ctx: Context): Promise<Resource | null> {
    return visibleResource(ctx, job.workspaceId, job.datasetId);
  }

  @FieldResolver(() => StorageFolder, { nullable: true, description: "Data imports: the storage folder the data went to (the 'View folder' action)." })
  folder(@Root() job: Job, @Ctx() ctx: Context): Promise<StorageFolder | null> {
    return job.folderId ? foldersById(ctx).load(job.folderId) : Promise.resolve(null);
  }

  @FieldResolver(() => Job, { nullable: true, description: 'The job this one retries, if any (and the viewer sees it).' })
  async retryOf(@Root() job: Job, @Ctx() ctx: Context): Promise<Job | null> {
    if (!job.retryOfId) return null;
    const [original, actor] = await Promise.all([jobsById(ctx).load(job.retryOfId), ctx.access.actor(job.workspaceId)]);
    return original && actor && sees(scopes.job, actor, { startedBy: original.userId }) ? original : null;
  }

  @FieldResolver(() => ApiKey, { nullable: true, description: 'The API key that started it, if one did (visible to the starter and ADMINs).' })
  async apiKey(@Root() job: Job, @Ctx() ctx: Context): Promise<ApiKey | null> {
    if (!job.apiKeyId) return null;
    // Whoever reaches a job sees it (scopes.job: its starter, ADMINs); checked again here, cheaply, as retryOf does.
    const [key, actor] = await Promise.all([apiKeysById(ctx).load(job.apiKeyId), ctx.access.actor(job.workspaceId)]);
    return key && actor && sees(scopes.job, actor, { startedBy: job.userId }) ? key : null;
  }

  @FieldResolver(() => JobCapabilities)
  viewerCan(@Root() job: Job, @Ctx() ctx: Context): Promise<JobCapabilities> {
    const resourceId = job.projectId ?? job.datasetId;
    ctx.access.primeJob({ id: job.id, workspaceId: job.workspaceId, startedBy: job.userId, type: job.type, status: job.status, resourceId });
    return jobCapabilities(ctx, job);
  }
}

/** A job's project or dataset, if the viewer sees it (scopes.resource; a role that sees every resource reads no facts). */
async function visibleResource(ctx: Context, workspaceId: string, id: string | null): Promise<Resource | null> {
  if (!id) return null;
  const actor = await ctx.access.actor(workspaceId);
  if (!actor) return null;
  if (!seesEvery(scopes.resource, actor.role)) {
    const facts = await ctx.access.resource(id);
    if (!facts || !sees(scopes.resource, actor, facts)) return null;
  }
  return resourcesById(ctx).load(id);
}

@Resolver(() => Workspace)
export class WorkspaceJobsResolver {
  @FieldResolver(() => JobConnection, { description: 'The Activity Center. ADMINs see every job; others the jobs they started.' })
  @Auth('seeJobs')
  jobs(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('filter', () => JobFilter, { nullable: true }) filter: JobFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Info() info: GraphQLResolveInfo,
    @Arg('orderBy', () => JobOrder, { nullable: true, description: 'Newest first when absent; ties by id, unfinished jobs last.' }) orderBy: JobOrder | null,
  ): Promise<JobConnection> {
    // Counting every job that matches costs more than the page: only when totalCount is read.
    // The starters come with the page when they are read (one statement, not two).
    return jobs.listJobs(ctx, workspace.id, { filter, orderBy, first, after }, {
      totalCount: selectsSubField(info, 'totalCount'),
      starters: selectsSubField(info, 'nodes', 'user'),
    });
  }

  @FieldResolver(() => Job, { nullable: true })
  @Auth('seeJob')
  job(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Job | null> {
    return jobs.findJob(ctx, id);
  }
}

@Resolver(() => JobEvent)
export class JobEventResolver {
  @Subscription(() => JobEvent, {
    description:
      'The Activity Center feed: every change of every job the viewer may see, in order.\nWith `after`, first replays every event since that cursor (none lost across a\nreconnect or a restart of the service), then goes on live.',
    subscribe: ({ args, context, info }) => subscribeJobEvents(context, args, info),
  })
  @Auth('jobEvents')
  jobEvents(
    @Root() event: JobEventRow,
    @Arg('workspaceId', () => ID) _workspaceId: string,
    @Arg('filter', () => JobFilter, { nullable: true }) _filter: JobFilter | null,
    @Arg('after', () => String, { nullable: true }) _after: string | null,
  ): JobEventRow {
    // The feed executes this with each event as the root; over HTTP (no feed) there is none.
    if (!event) throw badInput('jobEvents', 'jobEvents is a subscription: use the WebSocket (graphql-transport-ws) on /graphql');
    return event;
  }

  @FieldResolver(() => String, { description: 'Opaque and ordered: pass it as `after` to resume the feed with nothing missed.' })
  cursor(@Root() event: JobEventRow): string {
    return eventCursor(event);
  }

  @FieldResolver(() => Job)
  async job(@Root() event: JobEventRow, @Ctx() ctx: Context): Promise<Job> {
    const job = await jobsById(ctx).load(event.jobId);
    if (!job) throw new Error(`job event ${event.workspaceId}/${event.seq}: no job ${event.jobId}`);
    return job;
  }
}
