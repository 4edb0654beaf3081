import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** One recorded change, written in the same transaction as the change. */
@Entity('audit_log')
@Index('audit_log_workspace_idx', ['workspaceId', 'id'])
@Index('audit_log_invitations_idx', ['workspaceId', 'at'], { where: `action = 'inviteUsers'` })
@Index('audit_log_invitations_by_actor_idx', ['actorId', 'at'], { where: `action = 'inviteUsers'` })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: number;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('timestamptz', { default: () => 'now()' })
  at!: Date;

  /** null for an operator's command-line action. */
  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text')
  action!: string;

  @Column('text', { name: 'target_type' })
  targetType!: string;

  @Column('text', { name: 'target_id' })
  targetId!: string;

  @Column('jsonb', { default: () => "'{}'" })
  details!: Record<string, unknown>;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;
}
