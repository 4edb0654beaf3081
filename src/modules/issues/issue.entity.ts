import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity';

export const ISSUE_STATUSES = ['OPEN', 'RESOLVED'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

@Entity('issues')
@Index('issues_project_idx', ['projectId', 'createdAt'])
export class IssueEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('text')
  title!: string;

  @Column('text', { default: 'OPEN' })
  status!: IssueStatus;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ResourceEntity;
}
