import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ResourceRoleEnum, ResourceTypeEnum } from '../common/enums';
import { Check, CheckWhole } from '../common/input-checks';
import { description, id, ids, name } from '../common/validation';
import { checkRoleFits, MAX_RESOURCES_AT_ONCE } from '../resources/resource.inputs';
import type { ResourceRole, ResourceType } from '../resources/resource.entity';

/** At most this many people named in one list. */
export const MAX_GROUP_USERS = 1000;
const people = (min: number) => ids({ min, max: MAX_GROUP_USERS, what: 'user' });

@InputType('CreateGroupInput')
export class CreateGroupInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field()
  @Check(name(200))
  name!: string;

  @Field(() => String, { nullable: true })
  @Check(description(2000))
  description?: string | null;

  @Field(() => [ID], { nullable: true })
  @Check(people(0))
  memberIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  @Check(people(0))
  managerIds?: string[] | null;
}

@InputType('UpdateGroupInput', {
  description:
    'One save of the group dialog, all-or-nothing. memberIds and managerIds, when given, are the\nwhole new lists; each change they imply passes the rule of the operation it stands for\n(add/remove members, add/remove managers).',
})
export class UpdateGroupInput {
  @Field(() => ID)
  @Check(id())
  groupId!: string;

  @Field(() => String, { nullable: true })
  @Check(name(200))
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty text clears the description; null leaves it.' })
  @Check(description(2000))
  description?: string | null;

  @Field(() => [ID], { nullable: true })
  @Check(people(0))
  memberIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  @Check(people(0))
  managerIds?: string[] | null;
}

@InputType('GroupUsersInput')
export class GroupUsersInput {
  @Field(() => ID)
  @Check(id())
  groupId!: string;

  @Field(() => [ID])
  @Check(people(1))
  userIds!: string[];
}

@InputType('AssignGroupInput')
@CheckWhole(checkRoleFits)
export class AssignGroupInput {
  @Field(() => ID)
  @Check(id())
  groupId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => [ID])
  @Check(ids({ min: 1, max: MAX_RESOURCES_AT_ONCE, what: 'resource' }))
  resourceIds!: string[];

  @Field(() => ResourceRoleEnum)
  role!: ResourceRole;
}

@InputType('UnassignGroupInput')
export class UnassignGroupInput {
  @Field(() => ID)
  @Check(id())
  groupId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => ID)
  @Check(id())
  resourceId!: string;
}

@ObjectType('GroupCapabilities', { simpleResolvers: true })
export class GroupCapabilities {
  @Field()
  update!: boolean;

  @Field()
  delete!: boolean;

  @Field({ description: 'Add or remove members other than oneself (a manager may not add themselves).' })
  manageMembers!: boolean;

  @Field()
  manageManagers!: boolean;

  @Field()
  seeManagers!: boolean;
}
