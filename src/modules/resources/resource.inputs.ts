import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ROLES_BY_RESOURCE_TYPE } from '../../authorization/roles';
import { badInput } from '../../server/errors';
import { AT_ONCE } from '../../server/limits/caps';
import { JobTypeEnum, ResourceRoleEnum, ResourceTypeEnum } from '../common/enums';
import { Check, CheckWhole } from '../common/input-checks';
import { description, id, ids, name, search } from '../common/validation';
import type { JobType } from '../jobs/job.entity';
import type { ResourceRole, ResourceType } from './resource.entity';

export const MAX_RESOURCES_AT_ONCE = AT_ONCE.resources;

/** BAD_USER_INPUT unless the resource type takes the role (a dataset takes ADMIN or USER only). */
export function checkRoleFits(input: { resourceType: ResourceType; role: ResourceRole }, prefix: string): void {
  const allowed = ROLES_BY_RESOURCE_TYPE[input.resourceType];
  if (!allowed.includes(input.role)) {
    throw badInput(`${prefix}.role`, `A ${input.resourceType.toLowerCase()} takes the roles ${allowed.join(', ')}`, { allowed });
  }
}

@InputType('CreateResourceInput')
export class CreateResourceInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field()
  @Check(name(200))
  name!: string;

  @Field(() => String, { nullable: true })
  @Check(description(2000))
  description?: string | null;
}

@InputType('ResourceFilter')
export class ResourceFilter {
  @Field(() => String, { nullable: true, description: 'Matches the name, case-insensitive, anywhere in the text.' })
  @Check(search(200))
  search?: string | null;
}

@InputType('ProjectFilter')
export class ProjectFilter {
  @Field(() => [ID], { nullable: true, description: 'Projects carrying every one of these tags (ADMINs only).' })
  @Check(ids({ max: MAX_RESOURCES_AT_ONCE, what: 'tag' }))
  tagIds?: string[] | null;

  @Field(() => String, { nullable: true })
  @Check(search(200))
  search?: string | null;
}

@InputType('AssignUserInput')
@CheckWhole(checkRoleFits)
export class AssignUserInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => ID)
  @Check(id())
  userId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => [ID])
  @Check(ids({ min: 1, max: MAX_RESOURCES_AT_ONCE, what: 'resource' }))
  resourceIds!: string[];

  @Field(() => ResourceRoleEnum, { description: 'Sets the role; a user already on the resource gets this role instead.' })
  role!: ResourceRole;
}

@InputType('UnassignUserInput')
export class UnassignUserInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => ID)
  @Check(id())
  userId!: string;

  @Field(() => ResourceTypeEnum)
  resourceType!: ResourceType;

  @Field(() => ID)
  @Check(id())
  resourceId!: string;
}

@ObjectType('ResourceCapabilities', { simpleResolvers: true, description: 'What the viewer may do to one resource.' })
export class ResourceCapabilities {
  @Field()
  seeMembers!: boolean;

  @Field(() => [ResourceRoleEnum], { description: 'The roles the viewer may give people or groups here (empty: none).' })
  assignableRoles!: ResourceRole[];

  @Field(() => [JobTypeEnum], { description: 'The job types the viewer may start on this resource.' })
  startJobTypes!: JobType[];

  @Field({ description: 'Projects: set project tags.' })
  setTags!: boolean;

  @Field({ description: 'Projects: create project-level issue tags.' })
  createIssueTag!: boolean;

  @Field({ description: 'Projects: raise issues.' })
  createIssue!: boolean;
}
