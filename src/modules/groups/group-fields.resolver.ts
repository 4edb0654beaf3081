import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { groupCapabilities } from '../../authorization/capabilities';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { CAPS, firstDescription } from '../../server/limits/caps';
import { WorkspaceUser } from '../users/workspace-user.types';
import { GroupAssignment } from './group-assignment.types';
import { GroupCapabilities } from './group.inputs';
import { groupAssignments, groupManagers, groupMembers, groupsOfUsers } from './group.loaders';
import { Group } from './group.types';

@Resolver(() => Group)
export class GroupFieldsResolver {
  @FieldResolver(() => [WorkspaceUser], { nullable: true, description: 'Null with FORBIDDEN for viewers who may not see other people (TASKERs).' })
  @Auth('seeGroupMembers')
  members(
    @Root() group: Group,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.groupMembers) }) first?: number | null,
  ): Promise<WorkspaceUser[]> {
    return groupMembers(ctx, first ?? CAPS.groupMembers).load(group.id);
  }

  @FieldResolver(() => [WorkspaceUser], {
    nullable: true,
    description: "Visible to workspace ADMINs and to this group's managers: null with FORBIDDEN for others.",
  })
  @Auth('seeGroupManagers')
  managers(@Root() group: Group, @Ctx() ctx: Context): Promise<WorkspaceUser[]> {
    return groupManagers(ctx, CAPS.groupManagers).load(group.id);
  }

  @FieldResolver(() => [GroupAssignment], { description: "Roles the group's members (not its managers) hold through it." })
  assignments(
    @Root() group: Group,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.groupRoles) }) first?: number | null,
  ): Promise<GroupAssignment[]> {
    return groupAssignments(ctx, first ?? CAPS.groupRoles).load(group.id);
  }

  @FieldResolver(() => GroupCapabilities)
  viewerCan(@Root() group: Group, @Ctx() ctx: Context): Promise<GroupCapabilities> {
    return groupCapabilities(ctx, group);
  }
}

/** A person's groups, as far as the viewer may see them. */
@Resolver(() => WorkspaceUser)
export class UserGroupsResolver {
  @FieldResolver(() => [Group])
  async groups(@Root() user: WorkspaceUser, @Ctx() ctx: Context): Promise<Group[]> {
    const ties = await groupsOfUsers(ctx).load({ workspaceId: user.workspaceId, userId: user.id });
    return ties.map((tie) => tie.group);
  }
}
