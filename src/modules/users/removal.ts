import type { EntityManager } from 'typeorm';
import { soleAdminOf } from '../../authorization/facts.data';
import { AppError, badInput } from '../../server/errors';
import { revokeKeysOf } from '../api-keys/api-keys.data';
import type { AuditRecord } from '../audit/audit.data';
import type { Change } from '../common/mutation';
import { leaveGroups } from '../groups/groups.data';
import { cancelProcessingJobsOf } from '../jobs/jobs.data';
import { TYPE_NAME } from '../resources/resource.service';
import { byTypeAndName, type Resource } from '../resources/resource.types';
import { deleteRolesOf, lockResourcesAdministeredBy, resourcesByIds, rolesHeld, setRole } from '../resources/resources.data';
import type { SoleAdminResources } from './user.inputs';
import { markRemoved, type LockedMember } from './users.data';

export interface Removal {
  workspaceId: string;
  /** The person removed, locked FOR NO KEY UPDATE by the caller (who holds the membership lock and has checked the rule). */
  target: LockedMember;
  /** The replacement named (locked FOR SHARE), null when none was. */
  replacement: LockedMember | null;
  /** Who removes them; null for the operator's command-line tool. */
  actorId: string | null;
  /** Where the request came from, kept in the audit entry. */
  via: 'api' | 'cli';
  /** The command line's operator (user@host), kept in the audit entry: the actor is null there. */
  operator?: string;
  /** What the caller may know of resources (REPLACEMENT_REQUIRED names only those). */
  describe(resourceIds: string[]): Promise<SoleAdminResources>;
}

/**
 * Removes a person from a workspace, in the caller's transaction: the resources of which they
 * are the only live direct ADMIN pass to the replacement (REPLACEMENT_REQUIRED without one);
 * they leave every group, as member and as manager, and every resource; their API keys are
 * revoked (for good: being invited again does not revive them); their PROCESSING jobs are
 * CANCELLED by the remover; the membership stays, REMOVED, so history still names them.
 * Answers the change: the resources handed over, its audit entries, the jobs' events.
 */
export async function removeMembership(tx: EntityManager, removal: Removal): Promise<Change<Resource[]>> {
  const { workspaceId, target, actorId } = removal;
  const userId = target.userId;

  // Lock the resources this person is a direct ADMIN of before counting their other ADMINs,
  // so that no concurrent unassignment can leave one of them without an ADMIN.
  await lockResourcesAdministeredBy(tx, workspaceId, userId);
  const sole = (await soleAdminOf(tx, workspaceId, [userId])).get(userId)!;
  const audit: AuditRecord[] = [];
  const replacementId = removal.replacement ? checkReplacement(removal.replacement, userId, removal.via) : null;

  let handedOver: Resource[] = [];
  if (sole.length > 0) {
    if (!replacementId) {
      const known = await removal.describe(sole);
      const name = removal.via === 'cli' ? 'name a --replacement-email' : 'name a replacementUserId';
      throw new AppError('REPLACEMENT_REQUIRED', `${target.email} is the sole ADMIN of ${sole.length} resource${sole.length === 1 ? '' : 's'}: ${name} to take them over`, {
        resources: known.resources.map((r) => ({ type: r.type, id: r.id, name: r.name })),
        hiddenCount: known.hiddenCount,
      });
    }
    const previous = await rolesHeld(tx, { person: replacementId }, sole);
    await setRole(tx, workspaceId, { person: replacementId }, sole, 'ADMIN');
    handedOver = (await resourcesByIds(tx, sole)).sort(byTypeAndName);
    for (const r of handedOver) {
      audit.push({ workspaceId, actorId, action: 'removeUser', targetType: TYPE_NAME[r.type], targetId: r.id, details: { userId: replacementId, from: previous.get(r.id) ?? null, to: 'ADMIN', replacing: userId } });
    }
  }

  const { memberOf, managerOf } = await leaveGroups(tx, workspaceId, userId);
  const assignments = await deleteRolesOf(tx, workspaceId, userId);
  const apiKeysRevoked = await revokeKeysOf(tx, workspaceId, userId);
  const cancelled = await cancelProcessingJobsOf(tx, workspaceId, userId, actorId);
  await markRemoved(tx, workspaceId, userId);
  audit.push({
    workspaceId,
    actorId,
    action: 'removeUser',
    targetType: 'WorkspaceUser',
    targetId: userId,
    details: {
      email: target.email,
      role: target.role,
      status: target.status,
      via: removal.via,
      ...(removal.operator ? { operator: removal.operator } : {}),
      groups: memberOf,
      managerOf,
      assignments,
      apiKeysRevoked,
      jobsCancelled: cancelled.map((j) => j.id),
      replacementUserId: sole.length > 0 ? replacementId : null,
      reassigned: sole,
    },
  });
  return { result: handedOver, audit, jobEvents: cancelled };
}

/** The replacement: a JOINED person of the workspace, not the one removed. */
function checkReplacement(replacement: LockedMember, removedId: string, via: 'api' | 'cli'): string {
  const field = via === 'cli' ? '--replacement-email' : 'input.replacementUserId';
  if (replacement.userId === removedId) throw badInput(field, 'The replacement cannot be the person removed');
  if (replacement.status !== 'JOINED') {
    throw badInput(field, `The replacement must have joined the workspace; this person is ${replacement.status}`, { status: replacement.status });
  }
  return replacement.userId;
}
