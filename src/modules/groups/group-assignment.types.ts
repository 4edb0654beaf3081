import { Field, ObjectType } from 'type-graphql';
import { ResourceRoleEnum } from '../common/enums';
import type { ResourceRole } from '../resources/resource.entity';
import { Resource } from '../resources/resource.types';

/** A role a group holds on a resource: its members (not its managers) hold it. */
@ObjectType('GroupAssignment', { simpleResolvers: true })
export class GroupAssignment {
  @Field(() => Resource)
  resource!: Resource;

  @Field(() => ResourceRoleEnum)
  role!: ResourceRole;
}
