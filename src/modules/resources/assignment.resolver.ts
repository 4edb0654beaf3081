import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { CAPS, firstDescription } from '../../server/limits/caps';
import { ResourceTypeEnum } from '../common/enums';
import { WorkspaceUser } from '../users/workspace-user.types';
import * as assignments from './assignment.service';
import { ResourceAssignment } from './assignment.types';
import type { ResourceType } from './resource.entity';
import { AssignUserInput, UnassignUserInput } from './resource.inputs';
import { assignmentsOfUsers } from './resource.loaders';

/** People's roles on resources: giving and taking them, and a person's list of them. */
@Resolver(() => WorkspaceUser)
export class AssignmentResolver {
  @Mutation(() => [ResourceAssignment], {
    description:
      'Workspace ADMINs, or an ADMIN of every resource named; a project TEAM_MANAGER may give\nproject roles other than ADMIN. Works on INVITED users too.',
  })
  @Auth('assignUser')
  assignUser(@Arg('input') input: AssignUserInput, @Ctx() ctx: Context): Promise<ResourceAssignment[]> {
    return assignments.assignUser(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('unassignUser')
  unassignUser(@Arg('input') input: UnassignUserInput, @Ctx() ctx: Context): Promise<boolean> {
    return assignments.unassignUser(ctx, input);
  }

  /** The person's grants the viewer may see (scopes.ts, seesGrant), directly or through groups. */
  @FieldResolver(() => [ResourceAssignment], { description: 'Roles held on resources, directly or through groups (via names the group).' })
  async assignments(
    @Root() user: WorkspaceUser,
    @Ctx() ctx: Context,
    @Arg('resourceType', () => ResourceTypeEnum, { nullable: true }) resourceType: ResourceType | null,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.personRoles) }) first?: number | null,
  ): Promise<ResourceAssignment[]> {
    const wanted = { type: resourceType ?? null, limit: first ?? CAPS.personRoles };
    return assignmentsOfUsers(ctx, wanted).load({ workspaceId: user.workspaceId, userId: user.id });
  }
}
