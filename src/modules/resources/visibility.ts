import type { Actor } from '../../authorization/policy';
import { seesResource, seesResourceMembers } from '../../authorization/policy';
import type { WorkspaceRole } from '../users/membership.entity';
import type { Context } from '../../server/context';

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
 * Whether the viewer may learn that `holderId` holds a role on a resource: they must see the
 * resource, and either be that person or see the resource's members (its ADMINs, a project's
 * TEAM_MANAGERs, workspace ADMINs). Otherwise a person's assignment list would reveal a
 * resource's members to someone PERMISSIONS.md does not let see them.
 */
export async function seesGrant(ctx: Context, resourceId: string, holderId: string | null): Promise<boolean> {
  const facts = await ctx.access.resource(resourceId);
  if (!facts) return false;
  const actor = await actorIn(ctx, facts.workspaceId);
  if (!actor || !seesResource(actor, facts)) return false;
  return holderId === actor.userId || seesResourceMembers(actor, facts);
}

/** Keeps the items whose resource (and holder) pass `seesGrant`, in order; one batched check for all. */
export async function filterVisibleGrants<T>(ctx: Context, items: T[], of: (item: T) => { resourceId: string; holderId: string | null }): Promise<T[]> {
  const verdicts = await Promise.all(items.map((item) => seesGrant(ctx, of(item).resourceId, of(item).holderId)));
  return items.filter((_item, i) => verdicts[i]);
}

/**
 * After a write: forget every fact and row this request has read, so that what the mutation
 * answers (and any later mutation of the same request) reads the state it left.
 */
export function forgetReads(ctx: Context): void {
  ctx.access.clear();
  ctx.loaders.clear();
}
