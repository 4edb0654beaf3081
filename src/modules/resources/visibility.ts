import type { Actor } from '../../authorization/policy';
import { seesResource, seesResourceMembers } from '../../authorization/policy';
import type { WorkspaceRole } from '../users/membership.entity';
import type { Context } from '../../server/context';
import type { ResourceFacts } from '../../authorization/access';
import { RESOURCE_TYPES } from './resource.entity';

/**
 * The viewer as the policy's rules see them in one workspace (JOINED only), or null. Lists
 * filter their items with the same predicates the rules use (policy.ts), from facts that
 * ctx.access loads once per request and batches.
 */
export type WorkspaceActor = Actor & { role: WorkspaceRole };

export async function actorIn(ctx: Context, workspaceId: string): Promise<WorkspaceActor | null> {
  const membership = await ctx.access.joined(workspaceId);
  if (!membership || !ctx.viewer) return null;
  return { userId: ctx.viewer.userId, membership, role: membership.role };
}

/**
 * Keeps, in order, the items of one workspace whose grant the viewer may learn: they must see
 * the resource, and either be its holder or see the resource's members (its ADMINs, a
 * project's TEAM_MANAGERs, workspace ADMINs). Otherwise a person's assignment list would reveal
 * a resource's members to someone PERMISSIONS.md does not let see them.
 *
 * Hot path (a page of people lists thousands of grants): the actor is found once, each
 * resource's facts once, and a viewer whom the rules let see every resource and its members
 * without any role of their own (a workspace ADMIN) loads no facts at all.
 */
export async function filterVisibleGrants<T>(
  ctx: Context,
  workspaceId: string,
  items: T[],
  of: (item: T) => { resourceId: string; holderId: string | null },
): Promise<T[]> {
  if (items.length === 0) return items;
  const actor = await actorIn(ctx, workspaceId);
  if (!actor) return [];
  const seesAllWithoutRole =
    seesResource(actor, { viewerRole: null }) && RESOURCE_TYPES.every((type) => seesResourceMembers(actor, { type, viewerRole: null }));
  if (seesAllWithoutRole) return items;
  const ids = [...new Set(items.map((item) => of(item).resourceId))];
  const facts = new Map<string, ResourceFacts>();
  for (const f of await Promise.all(ids.map((id) => ctx.access.resource(id)))) {
    if (f && f.workspaceId === workspaceId) facts.set(f.id, f);
  }
  return items.filter((item) => {
    const { resourceId, holderId } = of(item);
    const f = facts.get(resourceId);
    return !!f && seesResource(actor, f) && (holderId === actor.userId || seesResourceMembers(actor, f));
  });
}

/**
 * After a write: forget every fact and row this request has read, so that what the mutation
 * answers (and any later mutation of the same request) reads the state it left.
 */
export function forgetReads(ctx: Context): void {
  ctx.access.clear();
  ctx.loaders.clear();
}
