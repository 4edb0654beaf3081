import type { PersonFacts } from './facts.data';
import { policy, type Actor, type AnyRule, type RuleName, type Verdict } from './policy';

/**
 * Inputs with another operation's effect (docs/permissions.md, "The same rule everywhere"): such an
 * input passes that operation's rule as well as its own operation's. Each entry says which
 * input of which operation implies which calls of which rule; the guard checks them after the
 * operation's own rule (before the transaction, and again under its locks), so a refusal of
 * any of them is FORBIDDEN and changes nothing.
 */
export interface Effect {
  /** The input field that has the effect; '*' when the whole operation is another's (retryJob is startJob). */
  input: string;
  /** The operation whose rule it passes. */
  rule: RuleName;
  /** The calls of that rule the input implies, from the operation's target and arguments. */
  calls(target: any, args: Record<string, any>): Array<{ target: unknown; args: Record<string, any> }>;
}

const idsOf = (value: unknown): string[] => (Array.isArray(value) ? [...new Set(value.map((id) => String(id).toLowerCase()))] : []);

/** A call of a group-people rule on the operation's group, for these people. */
function onGroup(t: { workspaceId: string; group: unknown; people: Array<PersonFacts | null> }, userIds: string[]) {
  const wanted = new Set(userIds);
  return { target: { workspaceId: t.workspaceId, group: t.group, people: t.people.filter((p) => p && wanted.has(p.userId)) }, args: { input: { userIds } } };
}

/** Who comes (in the new list, not in the old) and who goes. */
function comesAndGoes(now: string[], next: unknown): { comes: string[]; goes: string[] } {
  const wanted = idsOf(next);
  return { comes: wanted.filter((id) => !now.includes(id)), goes: now.filter((id) => !wanted.includes(id)) };
}

export const effects: Partial<Record<RuleName, readonly Effect[]>> = {
  createGroup: [
    { input: 'memberIds', rule: 'addGroupMembers', calls: (t, a) => (idsOf(a.input?.memberIds).length ? [onGroup(t, idsOf(a.input.memberIds))] : []) },
    { input: 'managerIds', rule: 'editGroupManagers', calls: (t, a) => (idsOf(a.input?.managerIds).length ? [onGroup(t, idsOf(a.input.managerIds))] : []) },
  ],
  updateGroup: [
    {
      input: 'memberIds',
      rule: 'addGroupMembers',
      calls: (t, a) => (a.input?.memberIds == null ? [] : [comesAndGoes(t.members, a.input.memberIds).comes].filter((l) => l.length).map((ids) => onGroup(t, ids))),
    },
    {
      input: 'memberIds',
      rule: 'removeGroupMembers',
      calls: (t, a) => (a.input?.memberIds == null ? [] : [comesAndGoes(t.members, a.input.memberIds).goes].filter((l) => l.length).map((ids) => onGroup(t, ids))),
    },
    {
      input: 'managerIds',
      rule: 'editGroupManagers',
      calls: (t, a) => {
        if (a.input?.managerIds == null) return [];
        const { comes, goes } = comesAndGoes(t.managers, a.input.managerIds);
        return comes.length + goes.length > 0 ? [onGroup(t, [...comes, ...goes])] : [];
      },
    },
  ],
  removeUser: [
    {
      // Handing over is giving ADMIN on each resource: the caller must be allowed to give it
      // there, unless the replacement is a workspace ADMIN (who sees every resource anyway).
      input: 'replacementUserId',
      rule: 'assignUser',
      calls: (t) =>
        !t.replacement || t.replacement.role === 'ADMIN'
          ? []
          : t.handedOver.map((resource: unknown) => ({
              target: { workspaceId: t.workspaceId, resources: [resource], subject: t.replacement, subjectRoles: t.replacementRoles },
              args: { input: { role: 'ADMIN' } },
            })),
    },
  ],
  retryJob: [
    {
      input: '*',
      rule: 'startJob',
      calls: (t) => (t.resource ? [{ target: { workspaceId: t.workspaceId, type: t.job.type, resource: t.resource }, args: {} }] : []),
    },
  ],
};

/** Every implied call allowed: true; any refused: false (the operation itself is one the viewer may see). */
export function effectsAllow(name: RuleName, actor: Actor, target: unknown, args: Record<string, any>): Verdict {
  for (const effect of effects[name] ?? []) {
    const implied = policy[effect.rule] as AnyRule;
    for (const call of effect.calls(target, args)) {
      if (implied.allow(actor, call.target as never, call.args) !== true) return false;
    }
  }
  return true;
}
