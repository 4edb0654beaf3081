import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { firstDescription, SHOWN } from '../../server/limits/caps';
import { Project } from '../resources/resource.types';
import { IssueTag } from '../tags/tag.types';
import { tagsOfIssue } from './issue.loaders';
import * as issues from './issue.service';
import { CreateIssueInput, IssueFilter, ProjectIssue } from './issue.types';

@Resolver(() => ProjectIssue)
export class IssueResolver {
  @Mutation(() => ProjectIssue, { description: 'Workspace ADMINs; project ADMIN, TEAM_MANAGER, ANNOTATOR, ANNOTATOR_REVIEWER.' })
  @Auth('createIssue')
  createIssue(@Arg('input') input: CreateIssueInput, @Ctx() ctx: Context): Promise<ProjectIssue> {
    return issues.createIssue(ctx, input);
  }

  @Mutation(() => ProjectIssue, { description: 'Workspace ADMINs; any project role.' })
  @Auth('resolveIssue')
  resolveIssue(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ProjectIssue> {
    return issues.resolveIssue(ctx, id);
  }

  @FieldResolver(() => [IssueTag])
  tags(@Root() issue: ProjectIssue, @Ctx() ctx: Context): Promise<IssueTag[]> {
    return tagsOfIssue(ctx).load(issue.id);
  }
}

@Resolver(() => Project)
export class ProjectIssuesResolver {
  @FieldResolver(() => [ProjectIssue], { description: `Newest first; at most the newest ${SHOWN.projectIssues} that match the filter.` })
  @Auth('seeIssues')
  issues(
    @Root() project: Project,
    @Arg('filter', () => IssueFilter, { nullable: true }) filter: IssueFilter | null,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: firstDescription(SHOWN.projectIssues) }) first?: number | null,
  ): Promise<ProjectIssue[]> {
    return issues.projectIssues(ctx, project.id, filter, first ?? SHOWN.projectIssues);
  }
}
