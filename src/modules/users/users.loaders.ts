import DataLoader from 'dataloader';
import { soleAdminOf } from '../../authorization/facts.data';
import { sees, scopes } from '../../authorization/scopes';
import { loader, type Context } from '../../server/context';
import { peopleByKeys } from './users.data';
import type { WorkspaceUser } from './workspace-user.types';

const key = (workspaceId: string, userId: string) => `${workspaceId}:${userId}`;

/**
 * People by (workspace, user), in any status: history (jobs, audit entries) still names removed
 * ones. One query per batch; who may see them is `visiblePerson`'s business.
 */
export function workspaceUsers(ctx: Context): DataLoader<{ workspaceId: string; userId: string }, WorkspaceUser | null, string> {
  return loader(ctx, makeWorkspaceUserLoader);
}

function makeWorkspaceUserLoader(ctx: Context) {
  return new DataLoader<{ workspaceId: string; userId: string }, WorkspaceUser | null, string>(
    async (keys) => {
      const byKey = new Map((await peopleByKeys(ctx.db, keys)).map((r) => [key(r.workspaceId, r.id), r]));
      return keys.map((k) => byKey.get(key(k.workspaceId, k.userId)) ?? null);
    },
    { cacheKeyFn: (k) => key(k.workspaceId, k.userId) },
  );
}

/** The resources of which each person is the only live direct ADMIN (ids), by (workspace, user): one query per batch and workspace. */
export function soleAdminIds(ctx: Context): DataLoader<{ workspaceId: string; userId: string }, string[], string> {
  return loader(ctx, makeSoleAdminIds);
}

function makeSoleAdminIds(ctx: Context) {
  return new DataLoader<{ workspaceId: string; userId: string }, string[], string>(
    async (keys) => {
      const found = new Map<string, string[]>();
      for (const workspaceId of new Set(keys.map((k) => k.workspaceId))) {
        const userIds = keys.filter((k) => k.workspaceId === workspaceId).map((k) => k.userId);
        for (const [userId, ids] of await soleAdminOf(ctx.db, workspaceId, userIds)) found.set(key(workspaceId, userId), ids);
      }
      return keys.map((k) => found.get(key(k.workspaceId, k.userId)) ?? []);
    },
    { cacheKeyFn: (k) => key(k.workspaceId, k.userId) },
  );
}

/** A person a field names (a job's starter, who cancelled it), if the viewer may see them (scopes.person); null otherwise. */
export async function visiblePerson(ctx: Context, workspaceId: string, userId: string | null): Promise<WorkspaceUser | null> {
  if (!userId) return null;
  const [person, actor] = await Promise.all([workspaceUsers(ctx).load({ workspaceId, userId }), ctx.access.actor(workspaceId)]);
  return person && actor && sees(scopes.person, actor, { userId: person.id }) ? person : null;
}
