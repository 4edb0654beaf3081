import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { workspaceCapabilities } from '../../authorization/capabilities';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import * as workspaces from './workspace.service';
import { CreateWorkspaceInput, UpdateWorkspaceInput, Workspace, WorkspaceCapabilities } from './workspace.types';

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Query(() => Workspace, { nullable: true, description: 'A workspace the viewer has JOINED; null otherwise.' })
  @Auth('workspace')
  workspace(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Workspace | null> {
    return workspaces.findWorkspace(ctx, id);
  }

  @Mutation(() => Workspace, { description: 'Any signed-in person; they become its first ADMIN.' })
  @Auth('createWorkspace')
  createWorkspace(@Arg('input') input: CreateWorkspaceInput, @Ctx() ctx: Context): Promise<Workspace> {
    return workspaces.createWorkspace(ctx, input);
  }

  @Mutation(() => Workspace, { description: 'ADMINs.' })
  @Auth('updateWorkspace')
  updateWorkspace(@Arg('input') input: UpdateWorkspaceInput, @Ctx() ctx: Context): Promise<Workspace> {
    return workspaces.updateWorkspace(ctx, input);
  }

  @FieldResolver(() => WorkspaceCapabilities)
  viewerCan(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<WorkspaceCapabilities> {
    return workspaceCapabilities(ctx, workspace.id);
  }
}
