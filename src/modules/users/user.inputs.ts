import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { InvitationStatusEnum, SortDirectionEnum, WorkspaceRoleEnum, type SortDirection } from '../common/enums';
import { Check } from '../common/input-checks';
import { AT_ONCE } from '../../server/limits/caps';
import { Connection } from '../common/pagination';
import { emails, id, search } from '../common/validation';
import { Resource } from '../resources/resource.types';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';
import { PEOPLE_ORDERS, type PeopleOrder } from './users.data';
import { WorkspaceUser } from './workspace-user.types';

export const MAX_INVITATIONS = AT_ONCE.invitations;

@InputType('UserFilter')
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Matches email or name, case-insensitive, anywhere in the text.' })
  @Check(search(200))
  search?: string | null;

  @Field(() => WorkspaceRoleEnum, { nullable: true })
  role?: WorkspaceRole | null;

  @Field(() => InvitationStatusEnum, { nullable: true, description: 'Without it, REMOVED people are left out.' })
  status?: InvitationStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'Only internal (true) or external (false) people: the group-manager picker.' })
  internal?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Members of this group.' })
  @Check(id())
  groupId?: string | null;
}

export const UserOrderFieldEnum = Object.fromEntries(PEOPLE_ORDERS.map((o) => [o, o])) as { [K in PeopleOrder]: K };
registerEnumType(UserOrderFieldEnum, { name: 'UserOrderField' });

@InputType('UserOrder')
export class UserOrder {
  @Field(() => UserOrderFieldEnum)
  field!: PeopleOrder;

  @Field(() => SortDirectionEnum, { nullable: true, defaultValue: 'ASC' })
  direction?: SortDirection | null;
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
