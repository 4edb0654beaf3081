import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { badInput } from '../../server/errors';
import { Check, CheckWhole, type FieldCheck } from '../common/input-checks';
import { description, fraction, id, ids, name } from '../common/validation';
import { JobStatusEnum, JobTypeEnum, SortDirectionEnum, type SortDirection } from '../common/enums';
import { Connection } from '../common/pagination';
import type { JobStatus, JobType } from './job.entity';

/** Where a data import put its data (the Activity Center's 'View folder' action). */
@ObjectType('StorageFolder', { simpleResolvers: true })
export class StorageFolder {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "Where the data lives (e.g. s3://bucket/prefix/ or https://...), as the import's worker gave it: the 'View folder' link.",
  })
  uri!: string | null;

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

  @Field({ description: 'The last time its worker reported (start, progress or finish).' })
  lastReportAt!: Date;

  @Field(() => Int, { nullable: true, description: 'A PROCESSING job with no report for this many seconds turns ERROR (null: never).' })
  heartbeatSeconds!: number | null;

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
  apiKeyId!: string | null;
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

  @Field(() => [ID], { nullable: true, description: 'Jobs started by these people (ADMINs only: others see their own jobs anyway).' })
  @Check(ids({ max: 100, what: 'user id' }))
  userIds?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Jobs created at or after this moment.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Jobs created before this moment (not at it).' })
  createdBefore?: Date | null;
}

export const JOB_ORDER_FIELDS = ['CREATED_AT', 'FINISHED_AT', 'STATUS'] as const;
export type JobOrderField = (typeof JOB_ORDER_FIELDS)[number];
export const JobOrderFieldEnum = Object.fromEntries(JOB_ORDER_FIELDS.map((o) => [o, o])) as { [K in JobOrderField]: K };
registerEnumType(JobOrderFieldEnum, {
  name: 'JobOrderField',
  valuesConfig: { FINISHED_AT: { description: 'Unfinished jobs last.' }, STATUS: { description: "In the schema's order: PROCESSING, SUCCESS, ERROR, CANCELLED." } },
});

@InputType('JobOrder')
export class JobOrder {
  @Field(() => JobOrderFieldEnum)
  field!: JobOrderField;

  @Field(() => SortDirectionEnum, { nullable: true, defaultValue: 'DESC' })
  direction?: SortDirection | null;
}

/** DATA_IMPORT works on a dataset (and may name its folder); the others on a project. */
function checkJobTarget(input: StartJobInput, prefix: string): void {
  const dataImport = input.type === 'DATA_IMPORT';
  const needs = dataImport ? 'datasetId' : 'projectId';
  if (input[needs] == null) throw badInput(`${prefix}.${needs}`, `${input.type} needs ${needs}`);
  if (dataImport && input.projectId != null) throw badInput(`${prefix}.projectId`, 'DATA_IMPORT takes datasetId, not projectId');
  if (!dataImport && input.datasetId != null) throw badInput(`${prefix}.datasetId`, `${input.type} takes projectId, not datasetId`);
  if (!dataImport && input.folderName != null) throw badInput(`${prefix}.folderName`, 'Only DATA_IMPORT takes a storage folder');
  if (!dataImport && input.folderUri != null) throw badInput(`${prefix}.folderUri`, 'Only DATA_IMPORT takes a storage folder');
  if (input.folderUri != null && input.folderName == null) throw badInput(`${prefix}.folderUri`, 'folderUri is the location of the folder named by folderName: name it');
}

const STORAGE_SCHEMES = ['https:', 's3:', 'gs:', 'az:'];

/** Where a storage folder's data lives: an https, s3, gs or az URL with a host (bucket), no credentials, at most `max` characters. */
const storageUri =
  (max = 2048): FieldCheck =>
  (value, field) => {
    const raw = typeof value === 'string' ? value.trim() : '';
    if (raw.length === 0 || raw.length > max) throw badInput(field, `${field} must be a URL of 1 to ${max} characters`);
    if (/[\s\p{Cc}\p{Cf}]/u.test(raw)) throw badInput(field, `${field} must not contain spaces or control characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw badInput(field, `${field} is not a valid URL`);
    }
    if (!STORAGE_SCHEMES.includes(url.protocol)) throw badInput(field, `${field} must start with https://, s3://, gs:// or az://`);
    if (!url.hostname) throw badInput(field, `${field} must name a host or bucket`);
    // It is shown as a link to everyone who sees the job: a secret in it would leak.
    if (url.username || url.password) throw badInput(field, `${field} must not carry credentials`);
    return raw;
  };

/** Seconds without a report before a PROCESSING job turns ERROR. */
const heartbeat = (): FieldCheck => (value, field) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > 86_400) throw badInput(field, `${field.split('.').pop()} must be an integer from 10 to 86400`);
  return value;
};

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

  @Field(() => String, { nullable: true, description: "DATA_IMPORT: where that folder's data lives (https://, s3://, gs://, az://)." })
  @Check(storageUri())
  folderUri?: string | null;

  @Field(() => Int, { nullable: true, description: 'Turn the job to ERROR when its worker has not reported for this many seconds (10 to 86400).' })
  @Check(heartbeat())
  heartbeatSeconds?: number | null;
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
