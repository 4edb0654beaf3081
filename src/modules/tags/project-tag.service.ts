import { randomUUID } from 'node:crypto';
import { isUuid } from '../../authorization/access';
import { isUniqueViolation } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, conflict, notFound } from '../../server/errors';
import { CAPS, capExceeded } from '../../server/limits/caps';
import { runMutation } from '../common/mutation';
import { nameKey } from '../common/validation';
import { resourcesById } from '../resources/resource.loaders';
import { lockResources } from '../resources/resources.data';
import type { Resource } from '../resources/resource.types';
import type { CreateTagInput, ProjectTag, SetProjectTagsInput } from './tag.types';
import { deleteProjectTag as deleteTag, holdProjectTags, insertProjectTag, lockProjectTag, projectTagCount, projectTagNamed, setTagsOfProject } from './tags.data';

/** Project tags: workspace ADMINs only (the rules projectTags, editProjectTags, deleteProjectTag, setProjectTags, seeProjectTags). */

/** A new tag. Names are unique in the workspace as names compare: the unique index decides, so racing creators get one tag and CONFLICTs. */
export async function createProjectTag(ctx: Context, input: CreateTagInput): Promise<ProjectTag> {
  const { workspaceId, name } = input;
  const key = nameKey(name);
  try {
    return await runMutation(ctx, {
      rule: 'editProjectTags',
      args: { input },
      workspaceId,
      what: 'workspace',
      change: async (tx) => {
        const tag: ProjectTag = { id: randomUUID(), name, workspaceId };
        await insertProjectTag(tx, { ...tag, nameKey: key });
        if ((await projectTagCount(tx, workspaceId)) > CAPS.projectTags) throw capExceeded('projectTags', 'The workspace would have more project tags than a workspace may');
        return { result: tag, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'createProjectTag', targetType: 'ProjectTag', targetId: tag.id, details: { name } }] };
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await projectTagNamed(ctx.db, workspaceId, key);
    throw conflict(`A project tag named "${existing?.name ?? name}" already exists in this workspace`, { field: 'input.name', ...(existing ? { existing } : {}) });
  }
}

/** Deletes a tag; it leaves every project it was on. */
export async function deleteProjectTag(ctx: Context, id: string): Promise<boolean> {
  const workspaceId = (await ctx.access.projectTag(id))?.workspaceId;
  if (!workspaceId) throw notFound('project tag');
  return runMutation(ctx, {
    rule: 'deleteProjectTag',
    args: { id },
    workspaceId,
    what: 'project tag',
    lock: (tx) => lockProjectTag(tx, id),
    change: async (tx, tag) => {
      if (!tag) throw notFound('project tag');
      const removedFromProjects = await deleteTag(tx, id);
      return { result: true, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'deleteProjectTag', targetType: 'ProjectTag', targetId: id, details: { name: tag.name, removedFromProjects } }] };
    },
  });
}

/** Sets exactly these tags on a project, all or nothing; every id must be a project tag of the project's workspace. */
export async function setProjectTags(ctx: Context, input: SetProjectTagsInput): Promise<Resource> {
  const { projectId, tagIds } = input;
  const workspaceId = (await ctx.access.resource(projectId))?.workspaceId;
  if (!workspaceId) throw notFound('project');
  await runMutation(ctx, {
    rule: 'setProjectTags',
    args: { input },
    workspaceId,
    what: 'project',
    // One setProjectTags per project at a time.
    lock: (tx) => lockResources(tx, [projectId]),
    change: async (tx) => {
      const ids = tagIds.filter(isUuid);
      const known = await holdProjectTags(tx, workspaceId, ids);
      const invalid = tagIds.filter((id) => !known.has(id));
      if (invalid.length > 0) throw badInput('input.tagIds', 'Not a project tag of this workspace', { invalid });
      const { added, removed } = await setTagsOfProject(tx, projectId, ids);
      if (added.length === 0 && removed.length === 0) return { result: null };
      return { result: null, audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'setProjectTags', targetType: 'Project', targetId: projectId, details: { added, removed, tagIds: ids } }] };
    },
  });
  return (await resourcesById(ctx).load(projectId))!;
}
