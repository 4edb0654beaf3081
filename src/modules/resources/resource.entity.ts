import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

export const RESOURCE_TYPES = ['PROJECT', 'DATASET', 'ONTOLOGY'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const RESOURCE_ROLES = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER', 'USER'] as const;
export type ResourceRole = (typeof RESOURCE_ROLES)[number];

/** Projects, datasets and ontologies share one table: they differ only in the roles they take. */
@Entity('resources')
@Index('resources_workspace_type_idx', ['workspaceId', 'type', 'createdAt'])
export class ResourceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  type!: ResourceType;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;
}
