import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** Where a data import put its data (the Activity Center's 'View folder' action). */
@Entity('storage_folders')
@Index('storage_folders_workspace_name_key', { synchronize: false }) // unique (workspace_id, lower(btrim(name)))
export class StorageFolderEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  name!: string;

  /** Where its data lives (https, s3, gs or az), as the import's worker gave it. */
  @Column('text', { nullable: true })
  uri!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;
}
