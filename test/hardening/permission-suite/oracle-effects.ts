import {
  asSubject,
  createGroupOutcome,
  impliedGroupChanges,
  mayRemove,
  oracle,
  seesGroup,
  seesJob,
  seesPerson,
  subjectVisible,
} from './oracle';
import type { EffectExpectation, EffectScenario, Expectation, PersonSpec, Viewer } from './scenario';

/**
 * THE ORACLE OF EFFECTS, from docs/permissions.md "Inputs with another operation's effect pass that
 * operation's rule: createGroup and updateGroup `managerIds` are addGroupManagers/
 * removeGroupManagers, their `memberIds` are addGroupMembers/removeGroupMembers; a replacement
 * in removeUser is assignUser with ADMIN on each resource handed over; retryJob is startJob."
 * Each implied operation is asked of the gate oracle (oracle.ts), person by person and resource
 * by resource. Like oracle.ts it imports nothing from src/.
 */

const same = (v: Expectation['gate']): Expectation => ({ gate: v, api: v });

/** The person in a slot ('self' is the viewer). */
export function slot(s: EffectScenario, name: string): PersonSpec {
  const p = s.people?.[name];
  if (!p) throw new Error(`effect scenario names no person ${name}`);
  return p;
}

/**
 * Whether the implied operations alone are asked (`effects` not null): of a viewer who has
 * joined, naming only people of the workspace (an unknown id is the operation's own NOT_FOUND,
 * before any effect), and, for removeUser, a person who is there to be removed.
 */
export function effectsAsked(s: EffectScenario): boolean {
  if (!s.viewer || s.viewer.status !== 'JOINED') return false;
  const named = [...(s.memberIds ?? []), ...(s.managerIds ?? []), ...(s.replacement && s.replacement !== 'P' ? [s.replacement] : [])];
  if (named.some((n) => slot(s, n).place !== 'here')) return false;
  return true;
}

export function effectOracle(s: EffectScenario): EffectExpectation {
  if (!s.viewer) return { ...same('UNAUTHENTICATED'), effects: null };
  // "A workspace the viewer has not joined does not exist for them (mutations answer NOT_FOUND)."
  if (s.viewer.status !== 'JOINED') return { ...same('NOT_FOUND'), effects: null };
  const viewer = s.viewer;
  const asked = effectsAsked(s);
  const out = (e: Expectation, effects: boolean): EffectExpectation => ({ ...e, effects: asked ? effects : null });

  switch (s.op) {
    case 'Mutation.createGroup': {
      const members = (s.memberIds ?? []).map((n) => slot(s, n));
      const managers = (s.managerIds ?? []).map((n) => slot(s, n));
      const { effects, ...e } = createGroupOutcome(viewer, members, managers);
      return out(e, effects);
    }
    case 'Mutation.updateGroup':
      return updateGroup(s, viewer, out);
    case 'Mutation.removeUser':
      return removeUser(s, viewer, out);
    case 'Mutation.retryJob': {
      // "retryJob is startJob": one must see the job (decision 13: else NOT_FOUND) and pass startJob on its resource (else FORBIDDEN).
      const j = s.job!;
      const start = oracle({ op: 'Mutation.startJob', viewer, jobType: j.type, resource: j.resource });
      const effects = start.gate === 'allow';
      if (!seesJob(viewer.role, j.byViewer)) return out(same('NOT_FOUND'), effects);
      return out(effects ? same('allow') : same('FORBIDDEN'), effects);
    }
  }
}

/**
 * updateGroup: "update or delete a group: ADMIN yes; WORKFORCE_MANAGER groups they created"; the
 * people named must be ones the viewer sees; "memberIds and managerIds, when given, are the whole
 * new lists; each change they imply passes the rule of the operation it stands for" (contract):
 * who comes is added, who goes is removed.
 */
function updateGroup(s: EffectScenario, viewer: Viewer, out: (e: Expectation, effects: boolean) => EffectExpectation): EffectExpectation {
  const role = viewer.role;
  const g = s.group!;
  const diff = (now: string[] = [], next?: string[]) =>
    next === undefined ? { comes: [], goes: [] } : { comes: next.filter((n) => !now.includes(n)), goes: now.filter((n) => !next.includes(n)) };
  const members = diff(s.membersNow, s.memberIds);
  const managers = diff(s.managersNow, s.managerIds);
  const specs = (names: string[]) => names.map((n) => slot(s, n));
  const implied = impliedGroupChanges(viewer, g, {
    addMembers: specs(members.comes),
    removeMembers: specs(members.goes),
    addManagers: specs(managers.comes),
    removeManagers: specs(managers.goes),
  });
  const effects = implied.every((e) => e.gate === 'allow');
  if (!seesGroup(role, g)) return out(same('NOT_FOUND'), effects);
  const named = [...(s.memberIds ?? []), ...(s.managerIds ?? [])].map((n) => slot(s, n));
  const visible = named.every((p) => subjectVisible(role, asSubject(p, viewer)));
  const ruleAllows = role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && g.creator);
  if (!ruleAllows) return out(visible ? same('FORBIDDEN') : { gate: 'FORBIDDEN', api: 'FORBIDDEN', alt: 'NOT_FOUND' }, effects);
  if (!visible) return out(same('NOT_FOUND'), effects);
  if (!effects) return out(same('FORBIDDEN'), effects);
  return out(implied.some((e) => e.api === 'BAD_USER_INPUT') ? { gate: 'allow', api: 'BAD_USER_INPUT' } : same('allow'), effects);
}

/**
 * removeUser with a replacement: "removeUser: ADMIN anyone but an ADMIN; WORKFORCE_MANAGER TASKERs
 * only"; "Handing over is giving the ADMIN role: the caller must be allowed to give it on each
 * resource (workspace ADMIN, or that resource's ADMIN), unless the replacement is a workspace
 * ADMIN"; "The replacement, a JOINED person of the workspace" (decision 3: INVITED, DECLINED,
 * REMOVED or the person removed themselves: BAD_USER_INPUT; an unknown id: NOT_FOUND).
 * READING: "a workspace ADMIN" is a person whose workspace role is ADMIN; one who has not
 * joined is refused anyway (BAD_USER_INPUT). The person removed as their own replacement hands
 * nothing over (the input is bad), so no assignUser is implied.
 */
function removeUser(s: EffectScenario, viewer: Viewer, out: (e: Expectation, effects: boolean) => EffectExpectation): EffectExpectation {
  const role = viewer.role;
  const p = s.subject!;
  const qName = s.replacement!;
  const q = qName === 'P' ? p : slot(s, qName);
  let effects = true;
  if (qName !== 'P' && (q.self ? role : q.role) !== 'ADMIN') {
    for (const r of s.handedOver ?? []) {
      const give = oracle({
        op: 'Mutation.assignUser',
        viewer,
        resourceType: r.type,
        resource: r.tie,
        role: 'ADMIN',
        subject: { ...asSubject(q, viewer), directRole: q.self ? r.tie.direct : null },
      });
      if (give.gate !== 'allow') effects = false;
    }
  }
  // The person removed: of the workspace, not REMOVED, and one the viewer sees (a TASKER sees only themselves).
  if (p.place !== 'here' || p.status === 'REMOVED' || !seesPerson(role, !!p.self)) return out(same('NOT_FOUND'), effects);
  const qVisible = qName === 'P' || subjectVisible(role, asSubject(q, viewer));
  const ruleAllows = mayRemove(role, p.self ? role : p.role);
  if (!ruleAllows) return out(qVisible ? same('FORBIDDEN') : { gate: 'FORBIDDEN', api: 'FORBIDDEN', alt: 'NOT_FOUND' }, effects);
  if (!qVisible) return out(same('NOT_FOUND'), effects);
  if (!effects) return out(same('FORBIDDEN'), effects);
  const joined = q.self || q.status === 'JOINED';
  return out(qName === 'P' || !joined ? { gate: 'allow', api: 'BAD_USER_INPUT' } : same('allow'), effects);
}
