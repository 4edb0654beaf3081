import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { GroupEntity } from '../groups/group.entity';
import { ResourceEntity, ResourceRole } from './resource.entity';

/** A role held on a resource by a group: its members (not its managers) hold it. */
@Entity('resource_group_roles')
@Index('resource_group_roles_group_idx', ['groupId'])
export class ResourceGroupRoleEntity {
  @PrimaryColumn('uuid', { name: 'resource_id' })
  resourceId!: string;

  @PrimaryColumn('uuid', { name: 'group_id' })
  groupId!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  role!: ResourceRole;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource?: ResourceEntity;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: GroupEntity;
}
