import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { InvitationStatusEnum, WorkspaceRoleEnum } from '../common/enums';
import { Check } from '../common/input-checks';
import { Connection } from '../common/pagination';
import { emails, id, search } from '../common/validation';
import { Resource } from '../resources/resource.types';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';
import { WorkspaceUser } from './workspace-user.types';

export const MAX_INVITATIONS = 100;

@InputType('UserFilter')
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Matches email or name, case-insensitive, anywhere in the text.' })
  @Check(search(200))
  search?: string | null;

  @Field(() => WorkspaceRoleEnum, { nullable: true })
  role?: WorkspaceRole | null;

  @Field(() => InvitationStatusEnum, { nullable: true, description: 'Without it, REMOVED people are left out.' })
  status?: InvitationStatus | null;
}

@ObjectType('WorkspaceUserConnection', { simpleResolvers: true })
export class WorkspaceUserConnection extends Connection(WorkspaceUser) {}

@InputType('InviteUsersInput')
export class InviteUsersInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => [String])
  @Check(emails(MAX_INVITATIONS))
  emails!: string[];

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;
}

@InputType('RemoveUserInput')
export class RemoveUserInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => ID)
  @Check(id())
  userId!: string;

  @Field(() => ID, { nullable: true, description: 'Takes over every resource of which the removed user is the sole ADMIN.' })
  @Check(id())
  replacementUserId?: string | null;
}

@InputType('ChangeUserRoleInput')
export class ChangeUserRoleInput {
  @Field(() => ID)
  @Check(id())
  workspaceId!: string;

  @Field(() => ID)
  @Check(id())
  userId!: string;

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;
}

@ObjectType('RemoveUserPayload', { simpleResolvers: true })
export class RemoveUserPayload {
  @Field(() => ID)
  removedUserId!: string;

  @Field(() => [Resource], { description: 'Resources whose ADMIN role passed to the replacement.' })
  reassigned!: Resource[];
}

@ObjectType('SoleAdminResources', { simpleResolvers: true })
export class SoleAdminResources {
  @Field(() => [Resource], { description: 'Those the viewer may see.' })
  resources!: Resource[];

  @Field(() => Int, { description: 'How many more there are that the viewer may not see.' })
  hiddenCount!: number;
}

@ObjectType('UserCapabilities', { simpleResolvers: true })
export class UserCapabilities {
  @Field({ description: 'removeUser would be allowed (a replacement may still be needed: see soleAdminOf).' })
  remove!: boolean;

  @Field()
  changeRole!: boolean;

  @Field(() => [WorkspaceRoleEnum], { description: 'The workspace roles the viewer may give this person (empty: none).' })
  assignableRoles!: WorkspaceRole[];
}
