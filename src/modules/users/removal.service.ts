import type { Context } from '../../server/context';
import { runMutation } from '../common/mutation';
import { removeMembership } from './removal';
import type { RemoveUserInput, RemoveUserPayload } from './user.inputs';
import { soleAdminResources } from './users.service';

/**
 * removeUser (the rule removeUser: ADMINs remove anyone but an ADMIN, WORKFORCE_MANAGERs
 * TASKERs only; a replacement takes each resource only from whoever may give it ADMIN there).
 * After the commit the person's open connections are closed; the answer names, of the
 * resources handed over, those the remover sees.
 */
export async function removeUser(ctx: Context, input: RemoveUserInput): Promise<RemoveUserPayload> {
  const { workspaceId, userId, replacementUserId } = input;
  const reassigned = await runMutation(ctx, {
    rule: 'removeUser',
    args: { input },
    workspaceId,
    what: 'user',
    changesMemberships: true,
    people: () => ({ update: [userId], share: replacementUserId ? [replacementUserId] : [] }),
    lock: (_tx, people) => ({ target: people.get(userId)!, replacement: (replacementUserId && people.get(replacementUserId)) || null }),
    change: async (tx, { target, replacement }, txCtx) => {
      const change = await removeMembership(tx, {
        workspaceId,
        target,
        replacement,
        actorId: ctx.viewer!.userId,
        via: 'api',
        describe: (ids) => soleAdminResources(txCtx, workspaceId, ids),
      });
      return { ...change, afterCommit: () => ctx.services.connections.revoke({ userId, workspaceId }) };
    },
  });
  // What passed to the replacement, as far as the remover may see it (a WORKFORCE_MANAGER may hand to an ADMIN what they cannot see).
  const { resources } = await soleAdminResources(ctx, workspaceId, reassigned.map((r) => r.id));
  return { removedUserId: userId, reassigned: resources };
}
