import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { CAPS, firstDescription } from '../../server/limits/caps';
import { Workspace } from '../workspaces/workspace.types';
import * as assignments from '../resources/assignment.service';
import { GroupAssignment } from './group-assignment.types';
import { AssignGroupInput, CreateGroupInput, GroupUsersInput, UnassignGroupInput, UpdateGroupInput } from './group.inputs';
import * as groups from './group.service';
import { Group } from './group.types';

/** Groups: making and changing them, their people and roles, and the workspace's list of them. */
@Resolver(() => Workspace)
export class GroupResolver {
  @Mutation(() => Group, { description: 'ADMINs and WORKFORCE_MANAGERs.' })
  @Auth('createGroup')
  createGroup(@Arg('input') input: CreateGroupInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.createGroup(ctx, input);
  }

  @Mutation(() => Group, { description: 'ADMINs, and the WORKFORCE_MANAGER who created the group (their lists: see UpdateGroupInput).' })
  @Auth('updateGroup')
  updateGroup(@Arg('input') input: UpdateGroupInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.updateGroup(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('deleteGroup')
  deleteGroup(@Arg('groupId', () => ID) groupId: string, @Ctx() ctx: Context): Promise<boolean> {
    return groups.deleteGroup(ctx, groupId);
  }

  @Mutation(() => Group, { description: "ADMINs, the group's creator, and the group's managers (their own groups only)." })
  @Auth('addGroupMembers')
  addGroupMembers(@Arg('input') input: GroupUsersInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.changeGroupPeople(ctx, 'addGroupMembers', input);
  }

  @Mutation(() => Group)
  @Auth('removeGroupMembers')
  removeGroupMembers(@Arg('input') input: GroupUsersInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.changeGroupPeople(ctx, 'removeGroupMembers', input);
  }

  @Mutation(() => Group, { description: 'ADMINs only. Managers must be internal users.' })
  @Auth('editGroupManagers')
  addGroupManagers(@Arg('input') input: GroupUsersInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.changeGroupPeople(ctx, 'addGroupManagers', input);
  }

  @Mutation(() => Group)
  @Auth('editGroupManagers')
  removeGroupManagers(@Arg('input') input: GroupUsersInput, @Ctx() ctx: Context): Promise<Group> {
    return groups.changeGroupPeople(ctx, 'removeGroupManagers', input);
  }

  @Mutation(() => [GroupAssignment], {
    description: 'Workspace ADMINs, or an ADMIN of every resource named. Members get the role; managers do not.',
  })
  @Auth('assignGroup')
  assignGroup(@Arg('input') input: AssignGroupInput, @Ctx() ctx: Context): Promise<GroupAssignment[]> {
    return assignments.assignGroup(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('assignGroup')
  unassignGroup(@Arg('input') input: UnassignGroupInput, @Ctx() ctx: Context): Promise<boolean> {
    return assignments.unassignGroup(ctx, input);
  }

  @FieldResolver(() => [Group], { description: 'ADMINs and WORKFORCE_MANAGERs see every group; others the groups they belong to or manage.' })
  @Auth('seeGroups')
  groups(
    @Root() workspace: Workspace,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.workspaceGroups) }) first?: number | null,
  ): Promise<Group[]> {
    return groups.listGroups(ctx, workspace, first ?? CAPS.workspaceGroups);
  }

  @FieldResolver(() => Group, { nullable: true })
  @Auth('seeGroup')
  group(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Group | null> {
    return groups.findGroup(ctx, id);
  }
}
