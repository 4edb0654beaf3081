import { Field, ObjectType } from 'type-graphql';
import { ResourceRoleEnum } from '../common/enums';
import { Group } from '../groups/group.types';
import { WorkspaceUser } from '../users/workspace-user.types';
import type { ResourceRole } from './resource.entity';
import { Resource } from './resource.types';

/** A role a person holds on a resource: directly (via null) or through a group. */
@ObjectType('ResourceAssignment', { simpleResolvers: true })
export class ResourceAssignment {
  @Field(() => Resource)
  resource!: Resource;

  @Field(() => ResourceRoleEnum)
  role!: ResourceRole;

  @Field(() => Group, { nullable: true, description: 'The group this role comes through; null for a direct assignment.' })
  via!: Group | null;
}

/** One grant on a resource: a person's direct role, or a role they hold through one group. */
@ObjectType('ResourceMember', { simpleResolvers: true })
export class ResourceMember {
  @Field(() => WorkspaceUser)
  user!: WorkspaceUser;

  @Field(() => ResourceRoleEnum)
  role!: ResourceRole;

  @Field(() => Group, { nullable: true })
  via!: Group | null;
}
