import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import type { Page } from '../common/pagination';
import { Workspace } from '../workspaces/workspace.types';
import { answerInvitation, inviteUsers } from './invitation.service';
import { removeUser } from './removal.service';
import { changeUserRole } from './roles.service';
import { ChangeUserRoleInput, InviteUsersInput, RemoveUserInput, RemoveUserPayload, UserFilter, WorkspaceUserConnection } from './user.inputs';
import { findUser, listUsers } from './users.service';
import { WorkspaceUser } from './workspace-user.types';

/** Workspace.users and Workspace.user. */
@Resolver(() => Workspace)
export class WorkspaceUsersResolver {
  @FieldResolver(() => WorkspaceUserConnection, { description: 'Every user, invited, declined or joined. TASKERs may not see other members.' })
  @Auth('seeMembers')
  users(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<WorkspaceUser>> {
    return listUsers(ctx, workspace.id, filter, first, after);
  }

  @FieldResolver(() => WorkspaceUser, { nullable: true })
  @Auth('seeUser')
  user(@Root() workspace: Workspace, @Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WorkspaceUser | null> {
    return findUser(ctx, workspace.id, id);
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
    return answerInvitation(ctx, workspaceId, 'JOINED');
  }

  @Mutation(() => WorkspaceUser)
  @Auth('answerInvitation')
  declineInvitation(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    return answerInvitation(ctx, workspaceId, 'DECLINED');
  }

  @Mutation(() => RemoveUserPayload, { description: 'ADMINs remove anyone but ADMINs; WORKFORCE_MANAGERs remove TASKERs only.' })
  @Auth('removeUser')
  removeUser(@Arg('input') input: RemoveUserInput, @Ctx() ctx: Context): Promise<RemoveUserPayload> {
    return removeUser(ctx, input);
  }

  @Mutation(() => WorkspaceUser, { description: 'ADMINs only; the last ADMIN keeps the role (INVARIANT).' })
  @Auth('changeUserRole')
  changeUserRole(@Arg('input') input: ChangeUserRoleInput, @Ctx() ctx: Context): Promise<WorkspaceUser> {
    return changeUserRole(ctx, input);
  }
}
