import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** A workspace-level issue tag (project_id null) or a tag of one project. */
@Entity('issue_tags')
@Index('issue_tags_workspace_name_key', ['workspaceId', 'nameKey'], { unique: true, where: '"project_id" IS NULL' })
@Index('issue_tags_project_name_key', ['projectId', 'nameKey'], { unique: true, where: '"project_id" IS NOT NULL' })
export class IssueTagEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('text')
  name!: string;

  /**
   * The name as names compare (common/validation.ts, nameKey): unique among a workspace's own
   * tags and among a project's own; across the two levels the code keeps it (tags.data.ts).
   */
  @Column('text', { name: 'name_key' })
  nameKey!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ResourceEntity;
}
