import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../database/sql';
import type { Context } from '../../server/context';
import { conflict, notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { runMutation } from '../common/mutation';
import { nameKey } from '../common/validation';
import type { CreateIssueTagInput, IssueTag } from './tag.types';
import { deleteIssueTag as deleteTag, insertIssueTag, issueTagClash, issueTagCount, lockIssueTagNames } from './tags.data';

/**
 * Issue tags: workspace-level ones (workspace ADMINs) and a project's own (workspace ADMINs and
 * that project's ADMINs); the rules createIssueTag and deleteIssueTag say who. A name is unique
 * among the tags one project sees, as names compare: the workspace's and its own.
 */
export async function createIssueTag(ctx: Context, input: CreateIssueTagInput): Promise<IssueTag> {
  const { workspaceId, name } = input;
  const tag: IssueTag = { id: randomUUID(), name, workspaceId, projectId: input.projectId ?? null };
  try {
    return await runMutation(ctx, {
      rule: 'createIssueTag',
      args: { input },
      workspaceId,
      what: input.projectId ? 'project' : 'workspace',
      lock: (tx) => lockIssueTagNames(tx, workspaceId),
      change: async (tx) => {
        const clash = await issueTagClash(tx, workspaceId, nameKey(name), tag.projectId);
        if (clash) throw clashError(clash);
        await insertIssueTag(tx, { ...tag, nameKey: nameKey(name) });
        if ((await issueTagCount(tx, workspaceId, tag.projectId)) > CAPS.issueTags) {
          throw capExceeded('issueTags', tag.projectId ? 'The project would have more issue tags of its own than a project may' : 'The workspace would have more issue tags than a workspace may');
        }
        return { result: tag, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'createIssueTag', targetType: 'IssueTag', targetId: tag.id, details: { name, projectId: tag.projectId } }] };
      },
    });
  } catch (error) {
    // Only a writer that skipped the lock could get here; the index still answers.
    if (isUniqueViolation(error)) throw conflict(`An issue tag named "${name}" already exists`, { field: 'input.name' });
    throw error;
  }
}

/** CONFLICT naming the tag the new name collides with. */
function clashError(clash: { id: string; name: string; projectId: string | null; projectName: string | null }) {
  const message =
    clash.projectId === null
      ? `A workspace-level issue tag is already named "${clash.name}"`
      : `Project "${clash.projectName}" already has an issue tag named "${clash.name}"`;
  return conflict(message, { field: 'input.name', clash: { id: clash.id, name: clash.name, projectId: clash.projectId } });
}

/** Deletes an issue tag; it leaves every issue that carried it. */
export async function deleteIssueTag(ctx: Context, id: string): Promise<boolean> {
  const workspaceId = (await ctx.access.issueTag(id))?.workspaceId;
  if (!workspaceId) throw notFound('issue tag');
  return runMutation(ctx, {
    rule: 'deleteIssueTag',
    args: { id },
    workspaceId,
    what: 'issue tag',
    change: async (tx) => {
      const tag = await deleteTag(tx, id);
      if (!tag) throw notFound('issue tag');
      return { result: true, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'deleteIssueTag', targetType: 'IssueTag', targetId: id, details: { name: tag.name, projectId: tag.projectId } }] };
    },
  });
}
