import { randomUUID } from 'node:crypto';
import { isUuid } from '../../authorization/access';
import type { Context } from '../../server/context';
import { badInput, notFound } from '../../server/errors';
import { runMutation } from '../common/mutation';
import { lockResources } from '../resources/resources.data';
import { holdIssueTagsOfProject } from '../tags/tags.data';
import { issuesOfProject } from './issue.loaders';
import type { CreateIssueInput, IssueFilter, ProjectIssue } from './issue.types';
import { insertIssue, issueById, resolveIssueRow } from './issues.data';

/** A new OPEN issue (the rule createIssue). Its tags must be tags the project sees: the workspace's issue tags and the project's own. */
export async function createIssue(ctx: Context, input: CreateIssueInput): Promise<ProjectIssue> {
  const { projectId, title } = input;
  const tagIds = input.tagIds ?? [];
  const workspaceId = (await ctx.access.resource(projectId))?.workspaceId;
  if (!workspaceId) throw notFound('project');
  return runMutation(ctx, {
    rule: 'createIssue',
    args: { input },
    workspaceId,
    what: 'project',
    // The rule rests on a role on the project: FOR SHARE holds it still (a role change locks the row for update).
    lock: (tx) => lockResources(tx, [projectId], 'share'),
    change: async (tx) => {
      const known = await holdIssueTagsOfProject(tx, workspaceId, projectId, tagIds.filter(isUuid));
      const invalid = tagIds.filter((id) => !known.has(id));
      if (invalid.length > 0) throw badInput('input.tagIds', 'Not an issue tag of this project or its workspace', { invalid });
      const id = randomUUID();
      const issue = await insertIssue(tx, { id, workspaceId, projectId, title, createdBy: ctx.viewer!.userId, tagIds });
      return { result: issue, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'createIssue', targetType: 'ProjectIssue', targetId: id, details: { projectId, title, tagIds } }] };
    },
  });
}

/** Marks an issue RESOLVED (the rule resolveIssue). Resolving a resolved issue changes nothing. */
export async function resolveIssue(ctx: Context, id: string): Promise<ProjectIssue> {
  const projectId = (await ctx.access.issue(id))?.projectId;
  const workspaceId = projectId ? (await ctx.access.resource(projectId))?.workspaceId : undefined;
  if (!projectId || !workspaceId) throw notFound('issue');
  return runMutation(ctx, {
    rule: 'resolveIssue',
    args: { id },
    workspaceId,
    what: 'issue',
    lock: (tx) => lockResources(tx, [projectId], 'share'),
    change: async (tx) => {
      const resolved = await resolveIssueRow(tx, id);
      if (!resolved) {
        const issue = await issueById(tx, id);
        if (!issue) throw notFound('issue');
        return { result: issue };
      }
      return { result: resolved, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'resolveIssue', targetType: 'ProjectIssue', targetId: id, details: { projectId, from: 'OPEN', to: 'RESOLVED' } }] };
    },
  });
}

/** A project's first `limit` issues, newest first: those with the status, carrying every tag named. */
export async function projectIssues(ctx: Context, projectId: string, filter: IssueFilter | null | undefined, limit: number): Promise<ProjectIssue[]> {
  const tagIds = filter?.tagIds ?? [];
  if (tagIds.some((t) => !isUuid(t))) return []; // an id that is not a UUID names no tag, and no issue carries it
  return issuesOfProject(ctx, { tagIds, status: filter?.status ?? null, limit }).load(projectId);
}
