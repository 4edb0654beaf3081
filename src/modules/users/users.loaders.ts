import DataLoader from 'dataloader';
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

/** A person a field names (a job's starter, who cancelled it), if the viewer may see them (scopes.person); null otherwise. */
export async function visiblePerson(ctx: Context, workspaceId: string, userId: string | null): Promise<WorkspaceUser | null> {
  if (!userId) return null;
  const [person, actor] = await Promise.all([workspaceUsers(ctx).load({ workspaceId, userId }), ctx.access.actor(workspaceId)]);
  return person && actor && sees(scopes.person, actor, { userId: person.id }) ? person : null;
}
