import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { JobStatus, JobType } from '../jobs/job.entity';
import { UserEntity } from '../users/user.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/**
 * Where a workspace's job events are POSTed. The secret is kept as is (it signs every body),
 * and shown once, at creation. `eventSeq` is how far into the workspace's event log the webhook
 * has turned events into deliveries; `dueAt` is when a sender should next look at it (its
 * oldest pending delivery is due, or a sender's lease on it runs out); null: nothing to send.
 */
@Entity('webhooks')
@Index('webhooks_workspace_idx', ['workspaceId', 'createdAt'])
@Index('webhooks_due_idx', ['dueAt'], { where: '"due_at" IS NOT NULL' })
export class WebhookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  url!: string;

  @Column('text')
  secret!: string;

  /** Empty: every event. */
  @Column('text', { array: true, default: '{}' })
  statuses!: JobStatus[];

  /** Empty: every job type. */
  @Column('text', { array: true, default: '{}' })
  types!: JobType[];

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('bigint', { name: 'event_seq' })
  eventSeq!: number;

  @Column('timestamptz', { name: 'due_at', nullable: true })
  dueAt!: Date | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by' })
  creator?: UserEntity;
}
