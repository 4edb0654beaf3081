import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { ResourceEntity, ResourceRole } from './resource.entity';

/** A role held on a resource directly by a person. */
@Entity('resource_user_roles')
@Index('resource_user_roles_user_idx', ['workspaceId', 'userId'])
export class ResourceUserRoleEntity {
  @PrimaryColumn('uuid', { name: 'resource_id' })
  resourceId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  role!: ResourceRole;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource?: ResourceEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;
}
