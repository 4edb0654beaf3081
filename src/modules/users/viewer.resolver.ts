import { Arg, Ctx, FieldResolver, Int, Query, Resolver } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { CAPS, firstDescription } from '../../server/limits/caps';
import { unauthenticated } from '../../server/errors';
import { viewerWorkspaces } from '../workspaces/workspace.service';
import { Workspace } from '../workspaces/workspace.types';
import { pendingInvitations } from './users.data';
import { Invitation, ViewerType } from './viewer.types';

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType, { description: 'The person behind the token.' })
  @Auth('viewer')
  viewer(@Ctx() ctx: Context): ViewerType {
    if (!ctx.viewer) throw unauthenticated();
    return { id: ctx.viewer.userId, email: ctx.viewer.email, name: ctx.viewer.name };
  }

  @FieldResolver(() => [Workspace], { description: 'Workspaces the viewer has joined.' })
  workspaces(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(CAPS.personWorkspaces) }) first?: number | null,
  ): Promise<Workspace[]> {
    return viewerWorkspaces(ctx, first ?? CAPS.personWorkspaces);
  }

  @FieldResolver(() => [Invitation], { description: "Invitations still INVITED, addressed to the viewer's email." })
  async invitations(@Ctx() ctx: Context): Promise<Invitation[]> {
    if (!ctx.viewer) throw unauthenticated();
    if (ctx.viewer.apiKey) return [];
    return pendingInvitations(ctx.db, ctx.viewer.email);
  }
}
