import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { badInput } from '../../server/errors';
import { Check, CheckWhole } from '../common/input-checks';
import { description, fraction, id, name } from '../common/validation';
import { JobStatusEnum, JobTypeEnum } from '../common/enums';
import { Connection } from '../common/pagination';
import type { JobStatus, JobType } from './job.entity';

/** Where a data import put its data (the Activity Center's 'View folder' action). */
@ObjectType('StorageFolder', { simpleResolvers: true })
export class StorageFolder {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  /** Not in GraphQL. */
  workspaceId!: string;
}

/**
 * A job in the Activity Center. `user`, `project`, `dataset`, `folder` and `retryOf` are
 * field resolvers (job.resolver.ts), each batched.
 */
@ObjectType('Job', { simpleResolvers: true, description: 'A job in the Activity Center.' })
export class Job {
  @Field(() => ID)
  id!: string;

  @Field(() => JobTypeEnum)
  type!: JobType;

  @Field(() => JobStatusEnum)
  status!: JobStatus;

  @Field(() => Float, { description: '0 to 1.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: "Set when status is ERROR (the 'error details' action)." })
  errorMessage!: string | null;

  @Field(() => String, { nullable: true })
  errorDetails!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  /** Not in GraphQL: the keys the field resolvers follow. */
  workspaceId!: string;
  userId!: string;
  projectId!: string | null;
  datasetId!: string | null;
  folderId!: string | null;
  retryOfId!: string | null;
  cancelledById!: string | null;
}

@ObjectType('JobCapabilities', { simpleResolvers: true })
export class JobCapabilities {
  @Field({ description: 'reportJobProgress, completeJob, failJob: its starter or a workspace ADMIN, while PROCESSING.' })
  report!: boolean;

  @Field()
  cancel!: boolean;

  @Field({ description: 'A job in ERROR or CANCELLED whose project or dataset still exists, for whoever may start it again.' })
  retry!: boolean;
}

@ObjectType('JobConnection', { simpleResolvers: true })
export class JobConnection extends Connection(Job) {
  @Field({
    description:
      'The feed\'s position when this list was read: subscribe to jobEvents with it as `after` and no change between the list and the feed is missed.',
  })
  eventCursor!: string;
}

/** One change of a job: the feed's source object is a row of the event log. */
@ObjectType('JobEvent', { simpleResolvers: true, description: 'One change of a job, as the Activity Center feed delivers it.' })
export class JobEvent {
  @Field(() => JobStatusEnum)
  status!: JobStatus;

  @Field(() => Float)
  progress!: number;

  @Field()
  occurredAt!: Date;

  /** Not in GraphQL (`cursor` and `job` are field resolvers). */
  workspaceId!: string;
  seq!: number;
  jobId!: string;
  jobUserId!: string;
  jobType!: JobType;
}

@InputType('JobFilter')
export class JobFilter {
  @Field(() => [JobTypeEnum], { nullable: true })
  types?: JobType[] | null;

  @Field(() => [JobStatusEnum], { nullable: true })
  statuses?: JobStatus[] | null;
}

/** DATA_IMPORT works on a dataset (and may name its folder); the others on a project. */
function checkJobTarget(input: StartJobInput, prefix: string): void {
  const dataImport = input.type === 'DATA_IMPORT';
  const needs = dataImport ? 'datasetId' : 'projectId';
  if (input[needs] == null) throw badInput(`${prefix}.${needs}`, `${input.type} needs ${needs}`);
  if (dataImport && input.projectId != null) throw badInput(`${prefix}.projectId`, 'DATA_IMPORT takes datasetId, not projectId');
  if (!dataImport && input.datasetId != null) throw badInput(`${prefix}.datasetId`, `${input.type} takes projectId, not datasetId`);
  if (!dataImport && input.folderName != null) throw badInput(`${prefix}.folderName`, 'Only DATA_IMPORT takes a storage folder');
}

@InputType('StartJobInput')
@CheckWhole(checkJobTarget)
export class StartJobInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => JobTypeEnum)
  type!: JobType;

  @Field(() => ID, { nullable: true, description: 'Required for LABEL_IMPORT and MODEL_TRAINING.' })
  @Check(id())
  projectId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Required for DATA_IMPORT.' })
  @Check(id())
  datasetId?: string | null;

  @Field(() => String, { nullable: true, description: 'DATA_IMPORT: the storage folder to import into; made if it does not exist.' })
  @Check(name(200))
  folderName?: string | null;
}

@InputType('JobProgressInput')
export class JobProgressInput {
  @Field(() => ID)
  @Check(id())
  jobId!: string;

  @Field(() => Float)
  @Check(fraction())
  progress!: number;
}

@InputType('FailJobInput')
export class FailJobInput {
  @Field(() => ID)
  @Check(id())
  jobId!: string;

  @Field()
  @Check(name(1_000))
  errorMessage!: string;

  @Field(() => String, { nullable: true })
  @Check(description(20_000))
  errorDetails?: string | null;
}
