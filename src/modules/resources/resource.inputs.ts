import { Field, ID, InputType } from 'type-graphql';
import { ResourceRoleEnum, ResourceTypeEnum } from '../common/enums';
import type { ResourceRole, ResourceType } from './resource.entity';

@InputType()
export class CreateResourceInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class ProjectFilter {
  @Field(() => [ID], { nullable: true, description: 'Projects carrying every one of these tags (ADMINs only).' })
  tagIds?: string[] | null;

  @Field(() => String, { nullable: true })
  search?: string | null;
}

@InputType()
export class AssignUserInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => [ID])
  resourceIds!: string[];

  @Field(() => ResourceRoleEnum, { description: 'Sets the role; a user already on the resource gets this role instead.' })
  role!: ResourceRole;
}

@InputType()
export class UnassignUserInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => ID)
  resourceId!: string;
}
