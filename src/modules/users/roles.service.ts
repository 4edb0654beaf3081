import type { Context } from '../../server/context';
import { forbidden, invariant, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import type { ChangeUserRoleInput } from './user.inputs';
import { workspaceUsers } from './workspace-user.loader';
import type { WorkspaceUser } from './workspace-user.types';
import { lockMembership, lockWorkspace, otherJoinedAdmins } from './workspace-lock';

/**
 * changeUserRole: ADMINs (the rule checked it; it is checked again under the lock, since the
 * viewer may have been demoted meanwhile). The last JOINED ADMIN keeps the role (INVARIANT):
 * counted under the workspace lock, so two ADMINs demoting each other cannot both succeed.
 */
export async function changeUserRole(ctx: Context, input: ChangeUserRoleInput): Promise<WorkspaceUser> {
  const viewer = ctx.viewer!;
  const { workspaceId, userId, role } = input;
  await ctx.db.transaction(async (tx) => {
    if (!(await lockWorkspace(tx, workspaceId))) throw notFound('workspace');
    const target = await lockMembership(tx, workspaceId, userId);
    if (!target) throw notFound('user');
    if (target.role === role) return;
    if (target.role === 'ADMIN' && (await otherJoinedAdmins(tx, workspaceId, userId)) === 0) {
      throw invariant('The last ADMIN keeps the role: make someone else ADMIN first');
    }
    const actor = userId === viewer.userId ? target : await lockMembership(tx, workspaceId, viewer.userId);
    if (!actor || actor.status !== 'JOINED') throw notFound('workspace');
    if (actor.role !== 'ADMIN') throw forbidden('Only ADMINs change roles');
    await tx.query(`UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId, role]);
    await audit(tx, {
      workspaceId,
      actorId: viewer.userId,
      action: 'changeUserRole',
      targetType: 'WorkspaceUser',
      targetId: userId,
      details: { from: target.role, to: role },
    });
  });
  ctx.access.clear();
  return (await workspaceUsers(ctx).load({ workspaceId, userId }))!;
}
