import DataLoader from 'dataloader';
import type { Viewer } from '../../authorization/conditions';
import { loader, type Context } from '../../server/context';
import { groupsById } from '../groups/group.loaders';
import type { ResourceAssignment, ResourceMember } from './assignment.types';
import type { ResourceType } from './resource.entity';
import { grantsOfPeople, grantsOnResources, resourcesByIds } from './resources.data';
import type { Resource } from './resource.types';

/** Per-request, batched readers of resources and the roles held on them: one statement per batch (and workspace). */

/** Resources by id (any type); null for none. Visibility is the caller's (the rules', the scopes'). */
export function resourcesById(ctx: Context): DataLoader<string, Resource | null> {
  return loader(ctx, makeResourcesById);
}
function makeResourcesById(ctx: Context) {
  return new DataLoader<string, Resource | null>(async (ids) => {
    const byId = new Map((await resourcesByIds(ctx.db, ids)).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Groups keys by the workspace they are in and answers each group with the viewer as they are
 * there (their role differs from workspace to workspace); a workspace the viewer has not joined
 * answers empty lists.
 */
export async function perWorkspace<K, V>(
  ctx: Context,
  keys: readonly K[],
  workspaceOf: (key: K) => Promise<string | null>,
  load: (viewer: Viewer, keys: K[]) => Promise<V[]>,
  empty: () => V,
): Promise<V[]> {
  const workspaces = await Promise.all(keys.map(workspaceOf));
  const out: V[] = keys.map(() => empty());
  for (const ws of new Set(workspaces)) {
    const viewer = ws ? await ctx.access.actor(ws) : null;
    if (!viewer) continue;
    const at = keys.map((_k, i) => i).filter((i) => workspaces[i] === ws);
    const values = await load(viewer, at.map((i) => keys[i]));
    at.forEach((i, j) => (out[i] = values[j]));
  }
  return out;
}

/**
 * The request's loaders of one kind, one per variant (a list field's `first`, or its cap, and
 * its filter): the statement reads at most that many per parent, so `members(first: 5)` reads 5.
 */
export function perVariant<P, K, V, C = K>(make: (ctx: Context, variant: P) => DataLoader<K, V, C>, keyOf: (variant: P) => string | number) {
  const factory = (): Map<string | number, DataLoader<K, V, C>> => new Map();
  return (ctx: Context, variant: P): DataLoader<K, V, C> => {
    const loaders = loader(ctx, factory);
    const key = keyOf(variant);
    let instance = loaders.get(key);
    if (!instance) loaders.set(key, (instance = make(ctx, variant)));
    return instance;
  };
}

/** The first `limit` grants on each resource the viewer may see (scopes.ts, seesGrant), by resource id. */
export const resourceMembers = perVariant(
  (ctx, limit: number) =>
    new DataLoader<string, ResourceMember[]>((ids) =>
      perWorkspace(
        ctx,
        ids,
        async (id) => (await ctx.access.resource(id))?.workspaceId ?? null,
        async (viewer, some) => {
          const byResource = await grantsOnResources(ctx.db, some, viewer, limit);
          return some.map((id) => byResource.get(id) ?? []);
        },
        () => [],
      ),
    ),
  (limit) => limit,
);

/** A person's grants the viewer may see, by {workspaceId, userId}: direct roles and roles through the groups they are a member of. */
export interface UserKey {
  workspaceId: string;
  userId: string;
}

/** Which of a person's grants: on resources of one type (any when null), the first `limit`. */
export interface GrantsWanted {
  type: ResourceType | null;
  limit: number;
}

export const assignmentsOfUsers = perVariant(makeAssignmentsOfUsers, (w: GrantsWanted) => `${w.type}:${w.limit}`);
function makeAssignmentsOfUsers(ctx: Context, wanted: GrantsWanted) {
  return new DataLoader<UserKey, ResourceAssignment[], string>(
    (keys) =>
      perWorkspace(
        ctx,
        keys,
        async (k) => k.workspaceId,
        async (viewer, some) => {
          const rows = await grantsOfPeople(ctx.db, some, viewer, wanted);
          const idsOf = (n: number) => (rows.find((row) => row.n === n)?.list ?? []) as string[];
          const [resources, groups] = await Promise.all([resourcesById(ctx).loadMany(idsOf(0)), groupsById(ctx).loadMany(idsOf(-1))]);
          const grantsOf: ResourceAssignment[][] = some.map(() => []);
          for (const row of rows) {
            if (row.n <= 0) continue;
            const grants = grantsOf[row.n - 1];
            for (const [resourceRank, role, groupRank] of row.list as Array<[number, ResourceAssignment['role'], number]>) {
              const resource = resources[resourceRank - 1];
              if (!resource || resource instanceof Error) continue; // deleted between the two reads
              const group = groupRank > 0 ? groups[groupRank - 1] : null;
              grants.push({ resource, role, via: group instanceof Error ? null : (group ?? null) });
            }
          }
          return grantsOf;
        },
        () => [],
      ),
    { cacheKeyFn: (k) => `${k.workspaceId}:${k.userId}` },
  );
}
