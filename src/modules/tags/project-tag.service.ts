import { randomUUID } from 'node:crypto';
import { isUniqueViolation, queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, conflict, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import type { Project } from '../resources/resource.types';
import { projectsById } from './project.loader';
import { cleanTagName, uniqueIds } from './tag-rules';
import type { CreateTagInput, ProjectTag, SetProjectTagsInput } from './tag.types';

/**
 * Project tags: workspace ADMINs only (the rules projectTags, editProjectTags, deleteProjectTag,
 * setProjectTags, seeProjectTags check that before these run).
 */

/**
 * A new tag. Names are unique in the workspace, case-insensitively after trimming: the unique
 * index project_tags_workspace_name_key decides, so racing creators get one tag and CONFLICTs.
 */
export async function createProjectTag(ctx: Context, input: CreateTagInput): Promise<ProjectTag> {
  const name = cleanTagName(input.name);
  const tag: ProjectTag = { id: randomUUID(), name, workspaceId: input.workspaceId.toLowerCase() };
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO project_tags (id, workspace_id, name) VALUES ($1, $2, $3)`, [tag.id, tag.workspaceId, name]);
      await audit(tx, { workspaceId: tag.workspaceId, actorId: ctx.viewer!.userId, action: 'createProjectTag', targetType: 'ProjectTag', targetId: tag.id, details: { name } });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await queryOne<{ id: string; name: string }>(
      ctx.db,
      `SELECT id, name FROM project_tags WHERE workspace_id = $1 AND lower(btrim(name)) = lower(btrim($2))`,
      [tag.workspaceId, name],
    );
    throw conflict(`A project tag named "${existing?.name ?? name}" already exists in this workspace`, {
      field: 'input.name',
      ...(existing ? { existing } : {}),
    });
  }
  return tag;
}

/** Deletes a tag; it leaves every project it was on (the links cascade). */
export async function deleteProjectTag(ctx: Context, id: string): Promise<boolean> {
  await ctx.db.transaction(async (tx) => {
    // Locking the tag first waits for any setProjectTags that holds it, so the projects read next are all of them.
    const tag = await queryOne<{ name: string; workspaceId: string }>(
      tx,
      `SELECT name, workspace_id AS "workspaceId" FROM project_tags WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!tag) throw notFound('project tag');
    const projects = await queryRows<{ projectId: string }>(
      tx,
      `SELECT project_id AS "projectId" FROM project_tag_links WHERE tag_id = $1 ORDER BY project_id`,
      [id],
    );
    await tx.query(`DELETE FROM project_tags WHERE id = $1`, [id]);
    await audit(tx, {
      workspaceId: tag.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'deleteProjectTag',
      targetType: 'ProjectTag',
      targetId: id,
      details: { name: tag.name, removedFromProjects: projects.map((p) => p.projectId) },
    });
  });
  return true;
}

/** Sets exactly these tags on a project, all or nothing; every id must be a tag of the project's workspace. */
export async function setProjectTags(ctx: Context, input: SetProjectTagsInput): Promise<Project> {
  const { ids, malformed } = uniqueIds(input.tagIds, 'input.tagIds');
  const projectId = input.projectId.toLowerCase();
  await ctx.db.transaction(async (tx) => {
    // One setProjectTags per project at a time (NO KEY UPDATE does not block rows that reference the project).
    const project = await queryOne<{ workspaceId: string }>(
      tx,
      `SELECT workspace_id AS "workspaceId" FROM resources WHERE id = $1 AND type = 'PROJECT' FOR NO KEY UPDATE`,
      [projectId],
    );
    if (!project) throw notFound('project');
    // KEY SHARE keeps the tags from being deleted before this commits.
    const found = await queryRows<{ id: string }>(
      tx,
      `SELECT id FROM project_tags WHERE id = ANY($1::uuid[]) AND workspace_id = $2 FOR KEY SHARE`,
      [ids, project.workspaceId],
    );
    const known = new Set(found.map((t) => t.id));
    const invalid = [...malformed, ...ids.filter((id) => !known.has(id))];
    if (invalid.length > 0) throw badInput('input.tagIds', 'Not a project tag of this workspace', { invalid });

    const before = new Set(
      (await queryRows<{ tagId: string }>(tx, `SELECT tag_id AS "tagId" FROM project_tag_links WHERE project_id = $1`, [projectId])).map((r) => r.tagId),
    );
    const added = ids.filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !known.has(id)).sort();
    if (added.length === 0 && removed.length === 0) return;
    if (removed.length > 0) {
      await tx.query(`DELETE FROM project_tag_links WHERE project_id = $1 AND tag_id = ANY($2::uuid[])`, [projectId, removed]);
    }
    if (added.length > 0) {
      await tx.query(`INSERT INTO project_tag_links (project_id, tag_id) SELECT $1, unnest($2::uuid[])`, [projectId, added]);
    }
    await audit(tx, {
      workspaceId: project.workspaceId,
      actorId: ctx.viewer!.userId,
      action: 'setProjectTags',
      targetType: 'Project',
      targetId: projectId,
      details: { added, removed, tagIds: ids },
    });
  });
  const project = await projectsById(ctx).load(projectId);
  if (!project) throw notFound('project');
  return project;
}
