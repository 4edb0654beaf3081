import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { policy, seesGroup } from '../../authorization/policy';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { actorIn, filterVisibleGrants } from '../resources/visibility';
import { WorkspaceUser } from '../users/workspace-user.types';
import { GroupAssignment } from './group-assignment.types';
import { groupAssignments, groupManagers, groupMembers, groupsOfUsers } from './group.loaders';
import { Group } from './group.types';

@Resolver(() => Group)
export class GroupFieldsResolver {
  @FieldResolver(() => [WorkspaceUser])
  @Auth('seeGroupMembers')
  members(@Root() group: Group, @Ctx() ctx: Context): Promise<WorkspaceUser[]> {
    return groupMembers(ctx).load(group.id);
  }

  @FieldResolver(() => [WorkspaceUser], {
    nullable: true,
    description: "Visible to workspace ADMINs and to this group's managers: null with FORBIDDEN for others.",
  })
  @Auth('seeGroupManagers')
  managers(@Root() group: Group, @Ctx() ctx: Context): Promise<WorkspaceUser[]> {
    return groupManagers(ctx).load(group.id);
  }

  /**
   * Roles the group's members hold through it, on resources the viewer sees, and (unless the
   * viewer is a member, whose own access these are) whose members the viewer may see.
   */
  @FieldResolver(() => [GroupAssignment], { description: "Roles the group's members (not its managers) hold through it." })
  async assignments(@Root() group: Group, @Ctx() ctx: Context): Promise<GroupAssignment[]> {
    const [list, facts] = await Promise.all([groupAssignments(ctx).load(group.id), ctx.access.group(group.id)]);
    const holderId = facts?.viewerIsMember ? ctx.viewer!.userId : null;
    return filterVisibleGrants(ctx, group.workspaceId, list, (a) => ({ resourceId: a.resource.id, holderId }));
  }
}

/** A person's groups, as far as the viewer may see them. */
@Resolver(() => WorkspaceUser)
export class UserGroupsResolver {
  /**
   * The groups the person belongs to that the viewer sees, and the groups they manage whose
   * managers the viewer may see: a member never learns who manages their group this way.
   */
  @FieldResolver(() => [Group])
  async groups(@Root() user: WorkspaceUser, @Ctx() ctx: Context): Promise<Group[]> {
    const [ties, actor] = await Promise.all([
      groupsOfUsers(ctx).load({ workspaceId: user.workspaceId, userId: user.id }),
      actorIn(ctx, user.workspaceId),
    ]);
    if (!actor) return [];
    // A viewer whom the rules let see every group and its managers with no tie of their own
    // (a workspace ADMIN) needs no per-group facts: a page of people lists hundreds of groups.
    const untied = { id: '', workspaceId: user.workspaceId, createdBy: null, viewerIsMember: false, viewerIsManager: false };
    if (seesGroup(actor, untied) && policy.seeGroupManagers.allow(actor, { workspaceId: user.workspaceId, group: untied }, {}) === true) {
      return ties.map((tie) => tie.group);
    }
    const facts = await Promise.all(ties.map((t) => ctx.access.group(t.group.id)));
    return ties
      .filter((tie, i) => {
        const group = facts[i];
        if (!group || !seesGroup(actor, group)) return false;
        if (tie.member) return true;
        return policy.seeGroupManagers.allow(actor, { workspaceId: group.workspaceId, group }, {}) === true;
      })
      .map((tie) => tie.group);
  }
}
