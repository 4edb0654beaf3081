import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Resolver, Root } from 'type-graphql';
import { userCapabilities } from '../../authorization/capabilities';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import type { Page } from '../common/pagination';
import { selectsSubField } from '../common/selection';
import { Workspace } from '../workspaces/workspace.types';
import { answerInvitation, inviteUsers } from './invitation.service';
import { removeUser } from './removal.service';
import { changeUserRole } from './roles.service';
import {
  ChangeUserRoleInput,
  InviteUsersInput,
  RemoveUserInput,
  RemoveUserPayload,
  SoleAdminResources,
  UserCapabilities,
  UserFilter,
  UserOrder,
  WorkspaceUserConnection,
} from './user.inputs';
import { findUser, listUsers, soleAdminOf } from './users.service';
import { WorkspaceUser } from './workspace-user.types';

/** Workspace.users and Workspace.user. */
@Resolver(() => Workspace)
export class WorkspaceUsersResolver {
  @FieldResolver(() => WorkspaceUserConnection, { description: 'Every user, invited, declined or joined. TASKERs may not see other members.' })
  @Auth('seeMembers')
  users(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter | null,
    @Arg('orderBy', () => UserOrder, { nullable: true }) orderBy?: UserOrder | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<WorkspaceUser>> {
    return listUsers(ctx, workspace.id, { filter, orderBy, first, after }, { totalCount: selectsSubField(info, 'totalCount') });
  }

  @FieldResolver(() => WorkspaceUser, { nullable: true })
  @Auth('seeUser')
  user(@Root() workspace: Workspace, @Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WorkspaceUser | null> {
    return findUser(ctx, workspace.id, id);
  }
}

/** What a person's place shows beyond its columns: what removing them would hand over, and what the viewer may do to them. */
@Resolver(() => WorkspaceUser)
export class WorkspaceUserFieldsResolver {
  @FieldResolver(() => SoleAdminResources, { description: 'Resources of which this person is the only direct ADMIN: removing them needs a replacement.' })
  soleAdminOf(@Root() user: WorkspaceUser, @Ctx() ctx: Context): Promise<SoleAdminResources> {
    return soleAdminOf(ctx, user);
  }

  @FieldResolver(() => UserCapabilities)
  viewerCan(@Root() user: WorkspaceUser, @Ctx() ctx: Context): Promise<UserCapabilities> {
    ctx.access.primePerson({ workspaceId: user.workspaceId, userId: user.id, email: user.email, role: user.role, status: user.status, internal: user.internal });
    return userCapabilities(ctx, user);
  }
}

/** Invitations, roles and removal. */
@Resolver()
export class UserMutationsResolver {
  @Mutation(() => [WorkspaceUser], { description: 'ADMINs invite any role; WORKFORCE_MANAGERs invite TASKERs only.' })
  @Auth('inviteUsers')
  inviteUsers(@Arg('input') input: InviteUsersInput, @Ctx() ctx: Context): Promise<WorkspaceUser[]> {
    return inviteUsers(ctx, input);
  }

  @Mutation(() => WorkspaceUser, { description: 'The invitee alone.' })
  @Auth('answerInvitation')
  acceptInvitation(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    return answerInvitation(ctx, workspaceId.toLowerCase(), 'JOINED');
  }

  @Mutation(() => WorkspaceUser)
  @Auth('answerInvitation')
  declineInvitation(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    return answerInvitation(ctx, workspaceId.toLowerCase(), 'DECLINED');
  }

  @Mutation(() => RemoveUserPayload, { description: 'ADMINs remove anyone but ADMINs; WORKFORCE_MANAGERs remove TASKERs only.' })
  @Auth('removeUser')
  removeUser(@Arg('input') input: RemoveUserInput, @Ctx() ctx: Context): Promise<RemoveUserPayload> {
    return removeUser(ctx, input);
  }

  @Mutation(() => WorkspaceUser, {
    description:
      "ADMINs only; the last ADMIN keeps the role (INVARIANT); an ADMIN's role is taken away only by\nthemselves (stepping down) or by an operator's command.",
  })
  @Auth('changeUserRole')
  changeUserRole(@Arg('input') input: ChangeUserRoleInput, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    return changeUserRole(ctx, input);
  }
}
