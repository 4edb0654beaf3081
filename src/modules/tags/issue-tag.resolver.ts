import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { Project } from '../resources/resource.types';
import { Workspace } from '../workspaces/workspace.types';
import * as issueTags from './issue-tag.service';
import { projectsById, viewerSeesProject } from './project.loader';
import { issueTagsOfProject, issueTagsOfWorkspace } from './tag.loaders';
import { CreateIssueTagInput, IssueTag } from './tag.types';

@Resolver(() => IssueTag)
export class IssueTagResolver {
  @Mutation(() => IssueTag, { description: 'Names are unique among the tags a project sees (CONFLICT).' })
  @Auth('createIssueTag')
  createIssueTag(@Arg('input') input: CreateIssueTagInput, @Ctx() ctx: Context): Promise<IssueTag> {
    return issueTags.createIssueTag(ctx, input);
  }

  @Mutation(() => Boolean)
  @Auth('deleteIssueTag')
  deleteIssueTag(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return issueTags.deleteIssueTag(ctx, id);
  }

  /**
   * Whoever reaches a project-level tag already sees its project (Project.issueTags,
   * ProjectIssue.tags); the check keeps that true should a new path to tags appear.
   */
  @FieldResolver(() => Project, { nullable: true, description: 'The project this tag belongs to; null for a workspace-level tag.' })
  async project(@Root() tag: IssueTag, @Ctx() ctx: Context): Promise<Project | null> {
    if (!tag.projectId) return null;
    const project = await projectsById(ctx).load(tag.projectId);
    return project && (await viewerSeesProject(ctx, project)) ? project : null;
  }
}

@Resolver(() => Workspace)
export class WorkspaceIssueTagsResolver {
  @FieldResolver(() => [IssueTag], { description: 'Workspace-level issue tags.' })
  @Auth('issueTags')
  issueTags(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<IssueTag[]> {
    return issueTagsOfWorkspace(ctx).load(workspace.id);
  }
}

@Resolver(() => Project)
export class ProjectIssueTagsResolver {
  @FieldResolver(() => [IssueTag], { description: "Workspace-level issue tags and this project's own." })
  @Auth('seeIssues')
  issueTags(@Root() project: Project, @Ctx() ctx: Context): Promise<IssueTag[]> {
    return issueTagsOfProject(ctx).load(project.id);
  }
}
