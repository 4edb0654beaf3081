import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { Project, type Resource } from '../resources/resource.types';
import { Workspace } from '../workspaces/workspace.types';
import * as issueTags from './issue-tag.service';
import { scopes, sees } from '../../authorization/scopes';
import { resourcesById } from '../resources/resource.loaders';
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

  /** The project, when the viewer sees it (scopes.resource): whoever reaches a project-level tag does today, through the project. */
  @FieldResolver(() => Project, { nullable: true, description: 'The project this tag belongs to; null for a workspace-level tag.' })
  async project(@Root() tag: IssueTag, @Ctx() ctx: Context): Promise<Resource | null> {
    if (!tag.projectId) return null;
    const [facts, actor] = await Promise.all([ctx.access.resource(tag.projectId), ctx.access.actor(tag.workspaceId)]);
    return facts && actor && sees(scopes.resource, actor, facts) ? resourcesById(ctx).load(tag.projectId) : null;
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
