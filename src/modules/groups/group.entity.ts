import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

@Entity('groups')
@Index('groups_workspace_name_key', ['workspaceId', 'nameKey'], { unique: true })
export class GroupEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  name!: string;

  /** The name as names compare (common/validation.ts, nameKey): unique in the workspace. */
  @Column('text', { name: 'name_key' })
  nameKey!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  /** Who created it: a WORKFORCE_MANAGER may edit the groups they created. */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;
}
