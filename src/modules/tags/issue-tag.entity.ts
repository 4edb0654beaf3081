import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** A workspace-level issue tag (project_id null) or a tag of one project. */
@Entity('issue_tags')
@Index('issue_tags_workspace_name_key', { synchronize: false }) // unique (workspace_id, lower(btrim(name))) where project_id is null
@Index('issue_tags_project_name_key', { synchronize: false }) // unique (project_id, lower(btrim(name))) where project_id is not null
export class IssueTagEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('text')
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ResourceEntity;
}
