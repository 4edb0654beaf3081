import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { ResourceEntity } from '../resources/resource.entity';
import { UserEntity } from '../users/user.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';
import { StorageFolderEntity } from './storage-folder.entity';

export const JOB_TYPES = ['DATA_IMPORT', 'MODEL_TRAINING', 'LABEL_IMPORT'] as const;
export type JobType = (typeof JOB_TYPES)[number];
export const JOB_STATUSES = ['PROCESSING', 'SUCCESS', 'ERROR', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

@Entity('jobs')
@Index('jobs_workspace_created_idx', ['workspaceId', 'createdAt', 'id'])
@Index('jobs_workspace_user_created_idx', ['workspaceId', 'userId', 'createdAt', 'id'])
@Index('jobs_workspace_status_idx', ['workspaceId', 'status'])
@Index('jobs_workspace_finished_idx', ['workspaceId', 'finishedAt', 'id'])
// The heartbeat sweep reads only PROCESSING jobs that have a heartbeat.
@Index('jobs_heartbeat_due_idx', ['lastReportAt'], { where: `status = 'PROCESSING' AND heartbeat_seconds IS NOT NULL` })
@Check('jobs_heartbeat_seconds_check', `"heartbeat_seconds" BETWEEN 10 AND 86400`)
export class JobEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  type!: JobType;

  @Column('text')
  status!: JobStatus;

  @Column('double precision', { default: 0 })
  progress!: number;

  /** Who started it. Kept after they leave the workspace: history still names them. */
  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('uuid', { name: 'dataset_id', nullable: true })
  datasetId!: string | null;

  @Column('uuid', { name: 'folder_id', nullable: true })
  folderId!: string | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @Column('text', { name: 'error_details', nullable: true })
  errorDetails!: string | null;

  @Column('uuid', { name: 'retry_of', nullable: true })
  retryOfId!: string | null;

  /** Who cancelled it, when CANCELLED: null when the service did without a person (an operator's removal of its starter). */
  @Column('uuid', { name: 'cancelled_by', nullable: true })
  cancelledById!: string | null;

  /** The API key that started it (retryJob: the retrying key); null when a JWT did or the key is gone. */
  @Column('uuid', { name: 'api_key_id', nullable: true })
  apiKeyId!: string | null;

  /** A PROCESSING job with no report for this many seconds turns ERROR (the heartbeat sweep); null: never. */
  @Column('int', { name: 'heartbeat_seconds', nullable: true })
  heartbeatSeconds!: number | null;

  /** The last time its worker reported: start, progress, completion or failure. */
  @Column('timestamptz', { name: 'last_report_at', default: () => 'now()' })
  lastReportAt!: Date;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @ManyToOne(() => ResourceEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'project_id' })
  project?: ResourceEntity;

  @ManyToOne(() => ResourceEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'dataset_id' })
  dataset?: ResourceEntity;

  @ManyToOne(() => StorageFolderEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'folder_id' })
  folder?: StorageFolderEntity;

  @ManyToOne(() => JobEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'retry_of' })
  retryOfJob?: JobEntity;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'api_key_id' })
  apiKey?: ApiKeyEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'cancelled_by' })
  canceller?: UserEntity;
}
