import type { Context } from '../../server/context';
import { forbidden, notFound } from '../../server/errors';
import { removeMembership } from './removal';
import type { RemoveUserInput, RemoveUserPayload } from './user.inputs';
import { lockMembership, lockWorkspace } from './workspace-lock';

/**
 * removeUser: ADMINs remove anyone but an ADMIN; WORKFORCE_MANAGERs remove TASKERs only.
 * ADMINs are never removed through the API (an operator does it with the command-line tool).
 * The rule checked this against what it read; it is checked again under the workspace lock,
 * since either role may have changed meanwhile.
 */
export async function removeUser(ctx: Context, input: RemoveUserInput): Promise<RemoveUserPayload> {
  const viewer = ctx.viewer!;
  const { workspaceId, userId } = input;
  const reassigned = await ctx.db.transaction(async (tx) => {
    if (!(await lockWorkspace(tx, workspaceId))) throw notFound('workspace');
    const target = await lockMembership(tx, workspaceId, userId);
    if (!target) throw notFound('user');
    const actor = userId === viewer.userId ? target : await lockMembership(tx, workspaceId, viewer.userId);
    if (!actor || actor.status !== 'JOINED') throw notFound('workspace');
    if (target.role === 'ADMIN') {
      throw forbidden('ADMINs cannot be removed through the API: an operator removes one with the command-line tool');
    }
    const allowed = actor.role === 'ADMIN' || (actor.role === 'WORKFORCE_MANAGER' && target.role === 'TASKER');
    if (!allowed) throw forbidden(actor.role === 'WORKFORCE_MANAGER' ? 'WORKFORCE_MANAGERs remove TASKERs only' : 'You may not remove users');
    return removeMembership(tx, { workspaceId, target, replacementUserId: input.replacementUserId, actorId: viewer.userId, via: 'api' });
  });
  ctx.access.clear();
  return { removedUserId: userId, reassigned };
}
