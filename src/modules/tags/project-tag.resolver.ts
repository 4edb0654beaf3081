import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { Project, type Resource } from '../resources/resource.types';
import { Workspace } from '../workspaces/workspace.types';
import * as projectTags from './project-tag.service';
import { projectTagsOfProject, projectTagsOfWorkspace } from './tag.loaders';
import { CreateTagInput, ProjectTag, SetProjectTagsInput } from './tag.types';

@Resolver(() => ProjectTag)
export class ProjectTagResolver {
  @Mutation(() => ProjectTag, { description: 'ADMINs only; names are unique in the workspace (CONFLICT).' })
  @Auth('editProjectTags')
  createProjectTag(@Arg('input') input: CreateTagInput, @Ctx() ctx: Context): Promise<ProjectTag> {
    return projectTags.createProjectTag(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('deleteProjectTag')
  deleteProjectTag(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return projectTags.deleteProjectTag(ctx, id);
  }

  @Mutation(() => Project, { description: 'ADMINs only.' })
  @Auth('setProjectTags')
  setProjectTags(@Arg('input') input: SetProjectTagsInput, @Ctx() ctx: Context): Promise<Resource> {
    return projectTags.setProjectTags(ctx, input);
  }
}

@Resolver(() => Workspace)
export class WorkspaceProjectTagsResolver {
  @FieldResolver(() => [ProjectTag], { description: 'ADMINs only.' })
  @Auth('projectTags')
  projectTags(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<ProjectTag[]> {
    return projectTagsOfWorkspace(ctx).load(workspace.id);
  }
}

@Resolver(() => Project)
export class ProjectTagsResolver {
  @FieldResolver(() => [ProjectTag], { nullable: true, description: 'Visible to workspace ADMINs only: null with FORBIDDEN for others.' })
  @Auth('seeProjectTags')
  tags(@Root() project: Project, @Ctx() ctx: Context): Promise<ProjectTag[]> {
    return projectTagsOfProject(ctx).load(project.id);
  }
}
