import { Field, ID, InputType } from 'type-graphql';
import { ResourceRoleEnum, ResourceTypeEnum } from '../common/enums';
import type { ResourceRole, ResourceType } from '../resources/resource.entity';

@InputType()
export class CreateGroupInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [ID], { nullable: true })
  memberIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  managerIds?: string[] | null;
}

@InputType()
export class UpdateGroupInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty text clears the description; null leaves it.' })
  description?: string | null;
}

@InputType()
export class GroupUsersInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => [ID])
  userIds!: string[];
}

@InputType()
export class AssignGroupInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => [ID])
  resourceIds!: string[];

  @Field(() => ResourceRoleEnum)
  role!: ResourceRole;
}

@InputType()
export class UnassignGroupInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => ID)
  resourceId!: string;
}
