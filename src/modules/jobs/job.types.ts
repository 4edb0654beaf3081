import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
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

@InputType('StartJobInput')
export class StartJobInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => JobTypeEnum)
  type!: JobType;

  @Field(() => ID, { nullable: true, description: 'Required for LABEL_IMPORT and MODEL_TRAINING.' })
  projectId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Required for DATA_IMPORT.' })
  datasetId?: string | null;

  @Field(() => String, { nullable: true, description: 'DATA_IMPORT: the storage folder to import into; made if it does not exist.' })
  folderName?: string | null;
}

@InputType('JobProgressInput')
export class JobProgressInput {
  @Field(() => ID)
  jobId!: string;

  @Field(() => Float)
  progress!: number;
}

@InputType('FailJobInput')
export class FailJobInput {
  @Field(() => ID)
  jobId!: string;

  @Field()
  errorMessage!: string;

  @Field(() => String, { nullable: true })
  errorDetails?: string | null;
}
