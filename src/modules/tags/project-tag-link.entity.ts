import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity';
import { ProjectTagEntity } from './project-tag.entity';

@Entity('project_tag_links')
@Index('project_tag_links_tag_idx', ['tagId'])
export class ProjectTagLinkEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @PrimaryColumn('uuid', { name: 'tag_id' })
  tagId!: string;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ResourceEntity;

  @ManyToOne(() => ProjectTagEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: ProjectTagEntity;
}
