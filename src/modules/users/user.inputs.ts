import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { InvitationStatusEnum, WorkspaceRoleEnum } from '../common/enums';
import { Connection } from '../common/pagination';
import { Resource } from '../resources/resource.types';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';
import { WorkspaceUser } from './workspace-user.types';

@InputType()
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Matches email or name, case-insensitive, anywhere in the text.' })
  search?: string | null;

  @Field(() => WorkspaceRoleEnum, { nullable: true })
  role?: WorkspaceRole | null;

  @Field(() => InvitationStatusEnum, { nullable: true })
  status?: InvitationStatus | null;
}

@ObjectType('WorkspaceUserConnection', { simpleResolvers: true })
export class WorkspaceUserConnection extends Connection(WorkspaceUser) {}

@InputType()
export class InviteUsersInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => [String])
  emails!: string[];

  @Field(() => WorkspaceRoleEnum)
  role!: WorkspaceRole;
}

@InputType()
export class RemoveUserInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID, { nullable: true, description: 'Takes over every resource of which the removed user is the sole ADMIN.' })
  replacementUserId?: string | null;
}

@InputType()
export class ChangeUserRoleInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
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
