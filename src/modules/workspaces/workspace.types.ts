import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { WorkspaceRoleEnum } from '../common/enums';
import { Check } from '../common/input-checks';
import { domains, id, name } from '../common/validation';
import type { WorkspaceRole } from '../users/membership.entity';

/** A workspace as the viewer sees it: always with their own role in it. */
@ObjectType('Workspace', { simpleResolvers: true })
export class Workspace {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => WorkspaceRoleEnum)
  viewerRole!: WorkspaceRole;

  @Field(() => [String], { description: 'Email domains whose users count as internal (group managers must be internal).' })
  internalDomains!: string[];

  @Field()
  createdAt!: Date;
}

@InputType('CreateWorkspaceInput')
export class CreateWorkspaceInput {
  @Field()
  @Check(name(200))
  name!: string;

  @Field(() => [String], { nullable: true })
  @Check(domains())
  internalDomains?: string[] | null;
}

@InputType('UpdateWorkspaceInput')
export class UpdateWorkspaceInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => String, { nullable: true })
  @Check(name(200))
  name?: string | null;

  @Field(() => [String], { nullable: true })
  @Check(domains())
  internalDomains?: string[] | null;
}

@ObjectType('WorkspaceCapabilities', { simpleResolvers: true, description: 'What the viewer may do in this workspace (the same rules that guard the operations).' })
export class WorkspaceCapabilities {
  @Field()
  update!: boolean;

  @Field(() => [WorkspaceRoleEnum], { description: 'The roles the viewer may invite (empty: none).' })
  inviteRoles!: WorkspaceRole[];

  @Field()
  seeMembers!: boolean;

  @Field()
  createResources!: boolean;

  @Field()
  createGroup!: boolean;

  @Field()
  manageProjectTags!: boolean;

  @Field()
  manageIssueTags!: boolean;

  @Field()
  seeAuditLog!: boolean;

  @Field()
  manageWebhooks!: boolean;
}
