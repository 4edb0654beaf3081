import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity';
import { UserEntity } from './user.entity';

export const WORKSPACE_ROLES = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export const INVITATION_STATUSES = ['INVITED', 'DECLINED', 'JOINED', 'REMOVED'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * A person's place in a workspace, from the moment they are invited. A removed person keeps
 * the row (status REMOVED, removed_at set) so that history (jobs, audit entries) still names
 * them; being invited again makes it INVITED.
 */
@Entity('memberships')
@Index('memberships_user_idx', ['userId'])
@Check('memberships_removed_check', `("status" = 'REMOVED') = ("removed_at" IS NOT NULL)`)
export class MembershipEntity {
  @PrimaryColumn('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  role!: WorkspaceRole;

  @Column('text')
  status!: InvitationStatus;

  @Column('timestamptz', { name: 'invited_at' })
  invitedAt!: Date;

  /** Who sent the (latest) invitation: null before this column existed, and for founders and operators' additions. */
  @Column('uuid', { name: 'invited_by', nullable: true })
  invitedById!: string | null;

  @Column('timestamptz', { name: 'declined_at', nullable: true })
  declinedAt!: Date | null;

  @Column('timestamptz', { name: 'joined_at', nullable: true })
  joinedAt!: Date | null;

  @Column('timestamptz', { name: 'removed_at', nullable: true })
  removedAt!: Date | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by' })
  inviter?: UserEntity;
}
