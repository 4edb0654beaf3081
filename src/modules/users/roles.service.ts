import type { Context } from '../../server/context';
import { AppError, invariant } from '../../server/errors';
import { runMutation } from '../common/mutation';
import { groupsManagedBy } from '../groups/groups.data';
import type { ChangeUserRoleInput } from './user.inputs';
import { otherJoinedAdmins, setRole } from './users.data';
import { findUser } from './users.service';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * changeUserRole (the rule changeUserRole: ADMINs; an ADMIN's role is taken only by themselves).
 * The last JOINED ADMIN keeps the role, and a group manager cannot become a TASKER (a TASKER
 * sees no other person, so could manage no one): INVARIANT, counted under the workspace's
 * membership lock so that two ADMINs stepping down at once cannot both succeed.
 */
export async function changeUserRole(ctx: Context, input: ChangeUserRoleInput): Promise<WorkspaceUser> {
  const { workspaceId, userId, role } = input;
  await runMutation(ctx, {
    rule: 'changeUserRole',
    args: { input },
    workspaceId,
    what: 'user',
    changesMemberships: true,
    people: () => ({ update: [userId] }),
    lock: (_tx, people) => people.get(userId)!,
    change: async (tx, target) => {
      if (target.role === role) return { result: null };
      if (target.role === 'ADMIN' && (await otherJoinedAdmins(tx, workspaceId, userId)) === 0) {
        throw invariant('The last ADMIN keeps the role: make someone else ADMIN first');
      }
      if (role === 'TASKER') {
        const groups = await groupsManagedBy(tx, workspaceId, userId);
        if (groups.length > 0) {
          throw new AppError('INVARIANT', 'A group manager cannot be a TASKER: take them off as manager of these groups first', { groups });
        }
      }
      await setRole(tx, workspaceId, userId, role);
      return {
        result: null,
        audit: [{ workspaceId, actorId: ctx.viewer!.userId, action: 'changeUserRole', targetType: 'WorkspaceUser', targetId: userId, details: { from: target.role, to: role } }],
      };
    },
  });
  return (await findUser(ctx, workspaceId, userId))!;
}
