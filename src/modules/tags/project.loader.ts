import DataLoader from 'dataloader';
import { queryRows } from '../../database/sql';
import { loader, type Context } from '../../server/context';
import type { Project } from '../resources/resource.types';

/** The columns of a Project, from resources r. */
export const PROJECT_COLUMNS = `r.id, r.workspace_id AS "workspaceId", r.type, r.name, r.description, r.created_at AS "createdAt"`;

/**
 * Projects by id, whoever may see them: callers check visibility (ctx.access) themselves.
 * One query per batch.
 */
export function projectsById(ctx: Context): DataLoader<string, Project | null> {
  return loader(ctx, makeProjectLoader);
}

function makeProjectLoader(ctx: Context) {
  return new DataLoader<string, Project | null>(async (ids) => {
    const rows = await queryRows<Project>(ctx.db, `SELECT ${PROJECT_COLUMNS} FROM resources r WHERE r.id = ANY($1::uuid[]) AND r.type = 'PROJECT'`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Whether the viewer sees a project: a workspace ADMIN, or anyone with an effective role on it. */
export async function viewerSeesProject(ctx: Context, project: { id: string; workspaceId: string }): Promise<boolean> {
  const membership = await ctx.access.joined(project.workspaceId);
  if (!membership) return false;
  if (membership.role === 'ADMIN') return true;
  return ((await ctx.access.resource(project.id))?.viewerRole ?? null) !== null;
}
