import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobStatus, JobType } from '../modules/jobs/job.entity';

/**
 * The durable log behind the Activity Center feed: one row per change of a job, numbered by
 * a per-workspace sequence taken under the workspace row's lock, so rows commit in seq order.
 * The job's type and starter are copied in so a subscriber's filter and visibility check need
 * no extra query.
 */
@Entity('job_events')
@Index('job_events_occurred_idx', ['occurredAt'])
export class JobEventEntity {
  @PrimaryColumn('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @PrimaryColumn('bigint')
  seq!: number;

  @Column('uuid', { name: 'job_id' })
  jobId!: string;

  @Column('uuid', { name: 'job_user_id' })
  jobUserId!: string;

  @Column('text', { name: 'job_type' })
  jobType!: JobType;

  @Column('text')
  status!: JobStatus;

  @Column('double precision')
  progress!: number;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;
}
