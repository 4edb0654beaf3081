import type { Resolved } from './steps';
import type { Job, JobType, ResourceRole, ResourceType, State, WsRole } from './state';
import { copyState } from './state';

/**
 * THE MODEL: what docs/permissions.md and the product decisions taken for issue 13
 * (numbered D1..D15 below) say, recomputed from the
 * raw tables (state.ts). Nothing here comes from src/. One function per rule, each with the
 * sentence it encodes. Where the documents leave room, the reading chosen is marked READING.
 *
 * When several refusals apply, the answer is the first in this order, the order of the
 * mutation pipeline of issue 13 ("input checked at the boundary -> transaction -> lock the
 * targets -> the table's rule checked again under the lock -> change"):
 *   0. the input's own form, which tells nothing of the workspace: BAD_USER_INPUT (a role the
 *      resource type does not take, a name with forbidden characters)
 *   1. the viewer has not joined, or the object acted on is one they may not see: NOT_FOUND
 *   2. the rule: FORBIDDEN; and a person or group named that they may not see: NOT_FOUND
 *      (READING: the documents order neither before the other and neither leaks, so either is
 *      accepted when both apply)
 *   3. an input with another operation's effect that the other rule refuses: FORBIDDEN
 *   4. the people named: BAD_USER_INPUT (DECLINED/REMOVED, external or TASKER managers)
 *   5. the state: CONFLICT, then INVARIANT or REPLACEMENT_REQUIRED
 */

export type Code = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'INVARIANT' | 'REPLACEMENT_REQUIRED';

export interface Verdict {
  code: Code;
  /** The sentence (or decision) that decides it. */
  why: string;
  /** BAD_USER_INPUT: extensions.field. */
  field?: string;
  /** Other answers the documents allow as well (see READING notes). */
  also?: Code[];
  /** INVARIANT of a manager made TASKER: the groups extensions.groups names. */
  groups?: string[];
  /** REPLACEMENT_REQUIRED: the resources extensions.resources names (those the caller sees), and how many more. */
  resources?: string[];
  hiddenCount?: number;
}

const ok = (why = 'allowed'): Verdict => ({ code: 'ok', why });
const refuse = (code: Code, why: string, extra: Partial<Verdict> = {}): Verdict => ({ code, why, ...extra });

// ---- Words of docs/permissions.md ----------------------------------------------------------------

/** "Projects: ADMIN, TEAM_MANAGER, REVIEWER, ANNOTATOR, ANNOTATOR_REVIEWER. Datasets and ontologies: ADMIN, USER." */
export const FITS: Record<ResourceType, ResourceRole[]> = {
  PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'],
  DATASET: ['ADMIN', 'USER'],
  ONTOLOGY: ['ADMIN', 'USER'],
};

/** "Order, highest first: ADMIN > TEAM_MANAGER > ANNOTATOR_REVIEWER > REVIEWER = ANNOTATOR > USER." */
const RANK: Record<ResourceRole, number> = { ADMIN: 5, TEAM_MANAGER: 4, ANNOTATOR_REVIEWER: 3, REVIEWER: 2, ANNOTATOR: 2, USER: 1 };

const roleOf = (s: State, u: string): WsRole | null => s.people.get(u)?.role ?? null;
const statusOf = (s: State, u: string) => s.people.get(u)?.status ?? null;

/** "joined = their membership status is JOINED". */
export const joined = (s: State, u: string) => statusOf(s, u) === 'JOINED';

/**
 * "A person's effective role on a resource is their direct role, or the highest role of any
 * group they are a member of (not merely a manager of) that holds a role on it."
 * READING: on a tie of equal ranks (REVIEWER = ANNOTATOR) the direct role stands, and between groups ANNOTATOR.
 */
export function effective(s: State, u: string, r: string): ResourceRole | null {
  const d = s.direct.get(r)?.get(u);
  const held: ResourceRole[] = d ? [d] : [];
  for (const [g, role] of s.groupRoles.get(r) ?? []) if (s.members.get(g)?.has(u)) held.push(role);
  if (held.length === 0) return null;
  const top = Math.max(...held.map((x) => RANK[x]));
  const best = held.filter((x) => RANK[x] === top);
  return d && best.includes(d) ? d : best.includes('ANNOTATOR') ? 'ANNOTATOR' : best[0];
}

/** "see the resource: workspace ADMIN, or anyone with an effective role on it". */
export const seesResource = (s: State, v: string, r: string) => roleOf(s, v) === 'ADMIN' || effective(s, v, r) !== null;

/**
 * "see other members: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER no"; "Acting on people ...
 * needs seeing them: ... (a TASKER acting on anyone but themselves)". D1: a REMOVED person is
 * still answered to viewers who see people; someone with no membership is no one.
 */
export const seesPerson = (s: State, v: string, p: string) => s.people.has(p) && (roleOf(s, v) !== 'TASKER' || p === v);

/** "see every group: ADMIN yes, MEMBER own, WORKFORCE_MANAGER yes, TASKER own"; "Own groups are those the viewer belongs to or manages." */
export const seesGroup = (s: State, v: string, g: string) =>
  roleOf(s, v) === 'ADMIN' || roleOf(s, v) === 'WORKFORCE_MANAGER' || !!s.members.get(g)?.has(v) || !!s.managers.get(g)?.has(v);

/** D4: a group's members are people: a TASKER, who sees no other person, gets null with FORBIDDEN. */
export const seesGroupMembers = (s: State, v: string, g: string) => seesGroup(s, v, g) && roleOf(s, v) !== 'TASKER';

const creatorOf = (s: State, g: string) => s.groups.get(g)?.createdBy ?? null;
const isWfmCreator = (s: State, v: string, g: string) => roleOf(s, v) === 'WORKFORCE_MANAGER' && creatorOf(s, g) === v;

/** "see a group's managers: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER no". */
export const seesGroupManagers = (s: State, v: string, g: string) =>
  seesGroup(s, v, g) && (roleOf(s, v) === 'ADMIN' || (roleOf(s, v) !== 'TASKER' && (!!s.managers.get(g)?.has(v) || isWfmCreator(s, v, g))));

/** "see every job in the Activity Center: ADMIN yes; others own"; "Own jobs are those they started." */
export const seesJob = (s: State, v: string, j: Job) => roleOf(s, v) === 'ADMIN' || j.startedBy === v;

const LIVE = ['INVITED', 'JOINED'];

/**
 * "Every resource keeps at least one direct ADMIN who is INVITED or JOINED": the resources of
 * which `u` is a direct ADMIN while no one else INVITED or JOINED is. READING (the same for
 * removeUser's "sole direct ADMIN" and for unassigning or demoting "the last one"): a DECLINED
 * direct ADMIN is no one's replacement, and is sole when no live one is left.
 */
export function soleAdminOf(s: State, u: string): string[] {
  return [...s.direct]
    .filter(([, holders]) => holders.get(u) === 'ADMIN' && ![...holders].some(([x, role]) => x !== u && role === 'ADMIN' && LIVE.includes(statusOf(s, x) ?? '')))
    .map(([r]) => r);
}

/** "Group names are unique in a workspace ... All compare after Unicode NFKC normalisation, trimming, and case folding". */
export const nameKey = (name: string) => name.normalize('NFKC').trim().toLowerCase();

/** "names holding control, zero-width or line-separator characters are BAD_USER_INPUT" (D7: Cc, Cf, U+2028/U+2029). */
export const badName = (name: string) => /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name);

/** "An INVITED user can be given roles on resources and put in groups before they accept. A DECLINED or REMOVED person cannot (BAD_USER_INPUT)". */
const cannotBeGiven = (s: State, u: string) => ['DECLINED', 'REMOVED'].includes(statusOf(s, u) ?? '');

/** "Group managers must be internal users ... and not TASKERs ... Adding an external or TASKER manager is BAD_USER_INPUT." */
const cannotManage = (s: State, u: string) => !s.people.get(u)?.internal || roleOf(s, u) === 'TASKER';

const managedBy = (s: State, u: string) => [...s.managers].filter(([, m]) => m.has(u)).map(([g]) => g);

/** A gate refusal (FORBIDDEN) where a person or group named is also hidden: either answer (see the header). */
function forbiddenOrHidden(why: string, hidden: boolean): Verdict {
  return refuse('FORBIDDEN', why, hidden ? { also: ['NOT_FOUND'] } : {});
}

// ---- Workspace roles ------------------------------------------------------------------------

/** "create projects, datasets, ontologies: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER no". */
function createResource(s: State, r: Resolved): Verdict {
  return roleOf(s, r.actor.id) === 'TASKER' ? refuse('FORBIDDEN', 'TASKERs create no resources') : ok();
}

/**
 * "inviteUsers: ADMIN any role; WORKFORCE_MANAGER TASKER only"; "A DECLINED user may be invited
 * again; inviting an INVITED or JOINED email is CONFLICT"; "Emails compare case-insensitively".
 * A REMOVED person may be invited again too (D1: "until invited again").
 */
function inviteUsers(s: State, r: Resolved, idOf: (email: string) => string): Verdict {
  const a = roleOf(s, r.actor.id);
  if (!(a === 'ADMIN' || (a === 'WORKFORCE_MANAGER' && r.wsRole === 'TASKER'))) return refuse('FORBIDDEN', 'ADMINs invite any role, WORKFORCE_MANAGERs TASKERs only');
  const invitees = r.emails.map(idOf);
  if (invitees.some((u) => LIVE.includes(statusOf(s, u) ?? ''))) return refuse('CONFLICT', 'inviting an INVITED or JOINED email is CONFLICT');
  // READING (the documents do not say): re-inviting a DECLINED person who still manages a group as a TASKER
  // is refused like "changing a manager's role to TASKER is INVARIANT".
  if (r.wsRole === 'TASKER' && invitees.some((u) => managedBy(s, u).length > 0)) {
    return refuse('INVARIANT', 'a group manager may not become a TASKER (by analogy with changeUserRole)', { also: ['BAD_USER_INPUT'] });
  }
  return ok();
}

/** acceptInvitation / declineInvitation: "The invitee alone"; answering twice, or once JOINED, is CONFLICT; a REMOVED person has no invitation. */
function answerInvitation(s: State, r: Resolved): Verdict {
  const status = statusOf(s, r.actor.id);
  if (status === 'INVITED') return ok();
  if (status === 'JOINED' || status === 'DECLINED') return refuse('CONFLICT', 'only an INVITED membership is answered');
  return refuse('NOT_FOUND', 'no invitation (none, or REMOVED)');
}

/**
 * "changeUserRole: ADMIN yes, but ADMIN is taken from a person only by themselves; the last
 * ADMIN keeps the role"; D9: "An ADMIN changing another ADMIN's role: FORBIDDEN. Stepping down
 * oneself: allowed unless the last JOINED ADMIN (INVARIANT)"; D8 / "changing a manager's role to
 * TASKER is INVARIANT (extensions.groups names the groups)"; D1: on a REMOVED person NOT_FOUND.
 */
function changeUserRole(s: State, r: Resolved): Verdict {
  const a = r.actor.id;
  const u = r.user;
  if (!seesPerson(s, a, u) || statusOf(s, u) === 'REMOVED') return refuse('NOT_FOUND', 'a person the viewer may not see, no one, or REMOVED');
  if (roleOf(s, a) !== 'ADMIN') return refuse('FORBIDDEN', 'only ADMINs change roles');
  if (roleOf(s, u) === 'ADMIN' && u !== a) {
    // READING: "ADMIN to ADMIN" takes nothing; either answer.
    return r.wsRole === 'ADMIN' ? { ...ok('no change'), also: ['FORBIDDEN'] } : refuse('FORBIDDEN', "ADMIN is taken from a person only by themselves");
  }
  if (r.wsRole === roleOf(s, u)) return ok('no change');
  const otherJoinedAdmins = [...s.people].filter(([x, m]) => x !== u && m.role === 'ADMIN' && m.status === 'JOINED');
  if (roleOf(s, u) === 'ADMIN' && joined(s, u) && otherJoinedAdmins.length === 0) return refuse('INVARIANT', 'the last JOINED ADMIN keeps the role');
  if (r.wsRole === 'TASKER' && managedBy(s, u).length > 0) return refuse('INVARIANT', "changing a manager's role to TASKER is INVARIANT", { groups: managedBy(s, u) });
  return ok();
}

/**
 * "removeUser: ADMIN anyone but an ADMIN; WORKFORCE_MANAGER TASKERs only"; "ADMINs cannot be
 * removed through the API (FORBIDDEN)"; "removeUser on someone who is the sole direct ADMIN of
 * any resource needs replacementUserId (REPLACEMENT_REQUIRED otherwise). The error names only
 * the resources the caller may see (extensions.resources) and counts the others
 * (extensions.hiddenCount). The replacement, a JOINED person of the workspace, becomes ADMIN of
 * each ... the caller must be allowed to give it on each resource (workspace ADMIN, or that
 * resource's ADMIN), unless the replacement is a workspace ADMIN". D1: on a REMOVED person
 * NOT_FOUND. D3: an INVITED, DECLINED or REMOVED replacement, or the person removed themselves,
 * BAD_USER_INPUT (input.replacementUserId); an unknown id NOT_FOUND.
 */
function removeUser(s: State, r: Resolved): Verdict {
  const a = r.actor.id;
  const u = r.user;
  const rep = r.replacementUserId;
  if (!seesPerson(s, a, u) || statusOf(s, u) === 'REMOVED') return refuse('NOT_FOUND', 'a person the viewer may not see, no one, or REMOVED');
  const repHidden = rep !== null && !seesPerson(s, a, rep);
  if (roleOf(s, u) === 'ADMIN') return forbiddenOrHidden('ADMINs cannot be removed through the API', repHidden);
  if (!(roleOf(s, a) === 'ADMIN' || (roleOf(s, a) === 'WORKFORCE_MANAGER' && roleOf(s, u) === 'TASKER'))) {
    return forbiddenOrHidden('ADMINs remove anyone but an ADMIN, WORKFORCE_MANAGERs TASKERs only', repHidden);
  }
  if (repHidden) return refuse('NOT_FOUND', 'a replacement the viewer may not see, or no one');
  const handedOver = soleAdminOf(s, u);
  if (rep !== null && rep !== u && roleOf(s, rep) !== 'ADMIN') {
    const mayGiveAdmin = (x: string) => roleOf(s, a) === 'ADMIN' || effective(s, a, x) === 'ADMIN';
    if (!handedOver.every(mayGiveAdmin)) return refuse('FORBIDDEN', 'handing over is giving ADMIN: the caller must be allowed to give it on each resource');
  }
  const field = 'input.replacementUserId';
  // READING: with nothing to hand over, a replacement takes nothing; whether it is still checked is not decided: either answer.
  const unchecked = (v: Verdict): Verdict => (handedOver.length === 0 ? { ...ok('nothing to hand over'), also: [v.code] } : v);
  if (rep === u) return unchecked(refuse('BAD_USER_INPUT', 'the replacement cannot be the person removed', { field }));
  if (rep !== null && statusOf(s, rep) !== 'JOINED') return unchecked(refuse('BAD_USER_INPUT', 'the replacement must be JOINED', { field }));
  if (rep === null && handedOver.length > 0) {
    const seen = handedOver.filter((x) => seesResource(s, a, x));
    return refuse('REPLACEMENT_REQUIRED', 'the sole direct ADMIN of a resource', { resources: seen, hiddenCount: handedOver.length - seen.length });
  }
  return ok();
}

// ---- Resource roles -------------------------------------------------------------------------

/**
 * "assignUser / unassignUser on a project: workspace ADMIN; project ADMIN; project TEAM_MANAGER
 * for roles other than ADMIN"; "on a dataset or ontology: workspace ADMIN; its ADMIN".
 * READING: "roles other than ADMIN" binds the role given and the role taken: a TEAM_MANAGER
 * neither makes nor unmakes an ADMIN.
 */
function mayGiveRole(s: State, a: string, r: string, type: ResourceType, user: string, given: ResourceRole | null): boolean {
  if (roleOf(s, a) === 'ADMIN') return true;
  const eff = effective(s, a, r);
  return eff === 'ADMIN' || (type === 'PROJECT' && eff === 'TEAM_MANAGER' && given !== 'ADMIN' && s.direct.get(r)?.get(user) !== 'ADMIN');
}

/**
 * assignUser, and unassignUser (`given` null): the rule above; "An operation naming a person ...
 * the viewer may not see answers NOT_FOUND"; D2 (DECLINED or REMOVED: BAD_USER_INPUT,
 * input.userId); "Every resource keeps at least one direct ADMIN who is INVITED or JOINED:
 * unassigning or demoting the last one is INVARIANT".
 * READING: unassignUser of a DECLINED or REMOVED person is allowed (it gives nothing).
 */
function userRole(s: State, r: Resolved, given: ResourceRole | null): Verdict {
  const a = r.actor.id;
  const u = r.user;
  if (r.resourceIds.some((x) => !seesResource(s, a, x))) return refuse('NOT_FOUND', 'a resource the viewer may not see');
  const hidden = !seesPerson(s, a, u);
  if (!r.resourceIds.every((x) => mayGiveRole(s, a, x, r.type, u, given))) return forbiddenOrHidden('not an ADMIN (or, on projects, a TEAM_MANAGER for roles other than ADMIN) of every resource named', hidden);
  if (hidden) return refuse('NOT_FOUND', 'a person the viewer may not see, or no one');
  if (given !== null && cannotBeGiven(s, u)) return refuse('BAD_USER_INPUT', 'a DECLINED or REMOVED person is given nothing', { field: 'input.userId' });
  const losing = r.resourceIds.filter((x) => s.direct.get(x)?.get(u) === 'ADMIN' && given !== 'ADMIN');
  if (losing.some((x) => soleAdminOf(s, u).includes(x))) return refuse('INVARIANT', 'the last direct ADMIN who is INVITED or JOINED');
  return given === null ? takingFromRemoved(s, [u]) : ok();
}

/**
 * READING: taking something from a REMOVED person (unassignUser, removeGroupMembers,
 * removeGroupManagers) takes nothing and is allowed; NOT_FOUND, as D1 answers removeUser and
 * changeUserRole on them, is accepted too.
 */
function takingFromRemoved(s: State, people: string[]): Verdict {
  return people.some((u) => statusOf(s, u) === 'REMOVED') ? { ...ok('takes nothing from a REMOVED person'), also: ['NOT_FOUND'] } : ok();
}

/**
 * "assignGroup / unassignGroup: workspace ADMIN; an ADMIN of every resource named"; D11: a group
 * the viewer may not see is NOT_FOUND, as an unknown group.
 */
function groupRole(s: State, r: Resolved, given: ResourceRole | null): Verdict {
  const a = r.actor.id;
  if (r.resourceIds.some((x) => !seesResource(s, a, x))) return refuse('NOT_FOUND', 'a resource the viewer may not see');
  const hidden = !seesGroup(s, a, r.groupId);
  if (!(roleOf(s, a) === 'ADMIN' || r.resourceIds.every((x) => effective(s, a, x) === 'ADMIN'))) return forbiddenOrHidden('not an ADMIN of every resource named', hidden);
  if (hidden) return refuse('NOT_FOUND', 'a group the viewer may not see');
  return ok();
}

// ---- Groups ---------------------------------------------------------------------------------

/** "add or remove group members: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER no (TASKERs manage no group)". */
const mayEditMembers = (s: State, a: string, g: string) =>
  roleOf(s, a) === 'ADMIN' || (roleOf(s, a) !== 'TASKER' && (!!s.managers.get(g)?.has(a) || isWfmCreator(s, a, g)));

/** D10 / "A group's manager may not add themselves to the group's members (FORBIDDEN) ... ADMINs and the group's creator may." */
const mayAddThemselves = (s: State, a: string, g: string) => roleOf(s, a) === 'ADMIN' || isWfmCreator(s, a, g);

/** "update or delete a group: ADMIN yes; WORKFORCE_MANAGER groups they created". */
const mayUpdateGroup = (s: State, a: string, g: string) => roleOf(s, a) === 'ADMIN' || isWfmCreator(s, a, g);

/** The people an input names that cannot be put in (D2), or made managers ("internal ... not TASKERs"). */
function badPeople(s: State, members: string[], managers: string[], fields: { members: string; managers: string }): Verdict | null {
  if (members.some((u) => cannotBeGiven(s, u))) return refuse('BAD_USER_INPUT', 'a DECLINED or REMOVED person is put in no group', { field: fields.members });
  if (managers.some((u) => cannotBeGiven(s, u) || cannotManage(s, u))) return refuse('BAD_USER_INPUT', 'a manager must be internal, not a TASKER, and not DECLINED or REMOVED', { field: fields.managers });
  return null;
}

const nameTaken = (s: State, name: string, except = '') => [...s.groups].some(([g, x]) => g !== except && nameKey(x.name) === nameKey(name));

/**
 * "createGroup: ADMIN yes, WORKFORCE_MANAGER yes"; "createGroup and updateGroup managerIds are
 * addGroupManagers/removeGroupManagers, their memberIds are addGroupMembers/removeGroupMembers"
 * (D12: a WORKFORCE_MANAGER with managerIds is FORBIDDEN, with memberIds allowed, themselves
 * included: they are the creator); names (D7) and people (D2) as above; a name taken is CONFLICT.
 */
function createGroup(s: State, r: Resolved): Verdict {
  const a = r.actor.id;
  const members = r.memberIds ?? [];
  const managers = r.managerIds ?? [];
  if (!(roleOf(s, a) === 'ADMIN' || roleOf(s, a) === 'WORKFORCE_MANAGER')) return refuse('FORBIDDEN', 'ADMINs and WORKFORCE_MANAGERs create groups');
  if ([...members, ...managers].some((u) => !seesPerson(s, a, u))) return refuse('NOT_FOUND', 'a person the viewer may not see, or no one');
  if (managers.length > 0 && roleOf(s, a) !== 'ADMIN') return refuse('FORBIDDEN', 'managerIds is addGroupManagers: ADMINs only');
  const bad = badPeople(s, members, managers, { members: 'input.memberIds', managers: 'input.managerIds' });
  const taken = nameTaken(s, r.name!);
  // READING: bad people and a name taken are both the input's fault; the documents order neither before the other.
  if (bad) return taken ? { ...bad, also: ['CONFLICT'] } : bad;
  if (taken) return refuse('CONFLICT', 'group names are unique in a workspace');
  return ok();
}

/**
 * updateGroup: "update or delete a group" as above, and its new lists pass the rules of adding
 * and removing members and managers (whole new lists: who comes and who goes). An ADMIN and the
 * creating WORKFORCE_MANAGER may add and remove members, themselves included (D10); managers
 * only an ADMIN changes. READING: D2 "naming a DECLINED or REMOVED person" is refused for the
 * people who come; keeping a DECLINED member already there is either answer.
 */
function updateGroup(s: State, r: Resolved): Verdict {
  const a = r.actor.id;
  const g = r.groupId;
  if (!seesGroup(s, a, g)) return refuse('NOT_FOUND', 'a group the viewer may not see');
  const named = [...(r.memberIds ?? []), ...(r.managerIds ?? [])];
  const hidden = named.some((u) => !seesPerson(s, a, u));
  if (!mayUpdateGroup(s, a, g)) return forbiddenOrHidden('ADMINs and the WORKFORCE_MANAGER who created it update a group', hidden);
  if (hidden) return refuse('NOT_FOUND', 'a person the viewer may not see, or no one');
  const nowMembers = s.members.get(g) ?? new Set<string>();
  const nowManagers = s.managers.get(g) ?? new Set<string>();
  const comingManagers = (r.managerIds ?? []).filter((u) => !nowManagers.has(u));
  const goingManagers = r.managerIds === undefined ? [] : [...nowManagers].filter((u) => !r.managerIds!.includes(u));
  if (comingManagers.length + goingManagers.length > 0 && roleOf(s, a) !== 'ADMIN') return refuse('FORBIDDEN', 'managerIds is addGroupManagers/removeGroupManagers: ADMINs only');
  const comingMembers = (r.memberIds ?? []).filter((u) => !nowMembers.has(u));
  const bad = badPeople(s, comingMembers, comingManagers, { members: 'input.memberIds', managers: 'input.managerIds' });
  const taken = r.name !== undefined && nameTaken(s, r.name, g);
  if (bad) return taken ? { ...bad, also: ['CONFLICT'] } : bad;
  const keptGone = [...(r.memberIds ?? []), ...(r.managerIds ?? [])].some((u) => cannotBeGiven(s, u));
  const verdict = taken ? refuse('CONFLICT', 'group names are unique in a workspace') : ok();
  return keptGone ? { ...verdict, also: ['BAD_USER_INPUT'] } : verdict;
}

function deleteGroup(s: State, r: Resolved): Verdict {
  if (!seesGroup(s, r.actor.id, r.groupId)) return refuse('NOT_FOUND', 'a group the viewer may not see');
  return mayUpdateGroup(s, r.actor.id, r.groupId) ? ok() : refuse('FORBIDDEN', 'ADMINs and the WORKFORCE_MANAGER who created it delete a group');
}

/** addGroupMembers / removeGroupMembers: "add or remove group members" above; D10 for managers adding themselves; D2 for who is added. */
function groupMembers(s: State, r: Resolved, adding: boolean): Verdict {
  const a = r.actor.id;
  const g = r.groupId;
  if (!seesGroup(s, a, g)) return refuse('NOT_FOUND', 'a group the viewer may not see');
  const hidden = r.userIds.some((u) => !seesPerson(s, a, u));
  if (!mayEditMembers(s, a, g)) return forbiddenOrHidden("ADMINs, the group's managers and its creating WORKFORCE_MANAGER edit members", hidden);
  if (adding && r.userIds.includes(a) && !mayAddThemselves(s, a, g)) return forbiddenOrHidden("a group's manager may not add themselves", hidden);
  if (hidden) return refuse('NOT_FOUND', 'a person the viewer may not see, or no one');
  if (adding) return badPeople(s, r.userIds, [], { members: 'input.userIds', managers: 'input.userIds' }) ?? ok();
  return takingFromRemoved(s, r.userIds);
}

/** addGroupManagers / removeGroupManagers: "add or remove group managers: ADMIN yes; others no"; managers internal, not TASKERs (D8), not DECLINED or REMOVED (D2). */
function groupManagers(s: State, r: Resolved, adding: boolean): Verdict {
  const a = r.actor.id;
  if (!seesGroup(s, a, r.groupId)) return refuse('NOT_FOUND', 'a group the viewer may not see');
  const hidden = r.userIds.some((u) => !seesPerson(s, a, u));
  if (roleOf(s, a) !== 'ADMIN') return forbiddenOrHidden('ADMINs only', hidden);
  if (hidden) return refuse('NOT_FOUND', 'a person the viewer may not see, or no one');
  if (adding) return badPeople(s, [], r.userIds, { members: 'input.userIds', managers: 'input.userIds' }) ?? ok();
  return takingFromRemoved(s, r.userIds);
}

// ---- Activity Center ------------------------------------------------------------------------

/** "startJob DATA_IMPORT: workspace ADMIN; ADMIN of the dataset"; "LABEL_IMPORT, MODEL_TRAINING: workspace ADMIN; ADMIN or TEAM_MANAGER of the project". */
function mayStart(s: State, a: string, type: JobType, r: string): boolean {
  if (roleOf(s, a) === 'ADMIN') return true;
  const eff = effective(s, a, r);
  return type === 'DATA_IMPORT' ? eff === 'ADMIN' : eff === 'ADMIN' || eff === 'TEAM_MANAGER';
}

function startJob(s: State, r: Resolved): Verdict {
  const target = r.resourceIds[0];
  if (!seesResource(s, r.actor.id, target)) return refuse('NOT_FOUND', 'a resource the viewer may not see');
  return mayStart(s, r.actor.id, r.jobType, target) ? ok() : refuse('FORBIDDEN', 'startJob needs ADMIN (DATA_IMPORT) or ADMIN/TEAM_MANAGER (the others)');
}

/** cancelJob / failJob: "report progress, complete, fail, cancel a job: its starter; workspace ADMIN"; contract: "while PROCESSING" (INVARIANT otherwise). */
function finishJob(s: State, r: Resolved): Verdict {
  const job = s.jobs.get(r.jobId)!;
  if (!seesJob(s, r.actor.id, job)) return refuse('NOT_FOUND', 'a job the viewer may not see');
  return job.status === 'PROCESSING' ? ok() : refuse('INVARIANT', 'only a PROCESSING job changes');
}

/** D13 / "retryJob is startJob": the viewer must see the job (else NOT_FOUND) and pass startJob on its resource (else FORBIDDEN); only ERROR or CANCELLED jobs are retried (INVARIANT). */
function retryJob(s: State, r: Resolved): Verdict {
  const job = s.jobs.get(r.jobId)!;
  const a = r.actor.id;
  if (!seesJob(s, a, job)) return refuse('NOT_FOUND', 'a job the viewer may not see');
  if (!(roleOf(s, a) === 'ADMIN' || (job.resourceId !== null && seesResource(s, a, job.resourceId) && mayStart(s, a, job.type, job.resourceId)))) {
    return refuse('FORBIDDEN', 'retryJob is startJob on its resource');
  }
  return job.status === 'ERROR' || job.status === 'CANCELLED' ? ok() : refuse('INVARIANT', 'only a job in ERROR or CANCELLED is retried');
}

// ---- The operation's answer -----------------------------------------------------------------

/**
 * The input's own form (step 0 above): "Projects: ADMIN, TEAM_MANAGER, REVIEWER, ANNOTATOR,
 * ANNOTATOR_REVIEWER. Datasets and ontologies: ADMIN, USER" (the contract: "Any other pairing is
 * BAD_USER_INPUT"); D7: names with control, zero-width/format or separator characters.
 */
function badInput(r: Resolved): Verdict | null {
  if ((r.kind === 'assignUser' || r.kind === 'assignGroup') && !FITS[r.type].includes(r.role)) {
    return refuse('BAD_USER_INPUT', 'the resource type does not take the role', { field: 'input.role' });
  }
  if ((r.kind === 'createGroup' || r.kind === 'updateGroup') && r.name !== undefined && badName(r.name)) {
    return refuse('BAD_USER_INPUT', 'a name with control, zero-width or separator characters', { field: 'input.name' });
  }
  return null;
}

/** What the rules say a step must come to, from the state before it. */
export function predict(s: State, r: Resolved, idOfEmail: (email: string) => string): Verdict {
  const input = badInput(r);
  if (input) return input;
  if (r.kind === 'acceptInvitation' || r.kind === 'declineInvitation') return answerInvitation(s, r);
  // "A workspace the viewer has not joined does not exist for them (... mutations answer NOT_FOUND)."
  if (!joined(s, r.actor.id)) return refuse('NOT_FOUND', 'the viewer has not joined the workspace');
  switch (r.kind) {
    case 'createResource':
      return createResource(s, r);
    case 'assignUser':
      return userRole(s, r, r.role);
    case 'unassignUser':
      return userRole(s, r, null);
    case 'assignGroup':
      return groupRole(s, r, r.role);
    case 'unassignGroup':
      return groupRole(s, r, null);
    case 'createGroup':
      return createGroup(s, r);
    case 'updateGroup':
      return updateGroup(s, r);
    case 'deleteGroup':
      return deleteGroup(s, r);
    case 'addGroupMembers':
      return groupMembers(s, r, true);
    case 'removeGroupMembers':
      return groupMembers(s, r, false);
    case 'addGroupManagers':
      return groupManagers(s, r, true);
    case 'removeGroupManagers':
      return groupManagers(s, r, false);
    case 'inviteUsers':
      return inviteUsers(s, r, idOfEmail);
    case 'changeUserRole':
      return changeUserRole(s, r);
    case 'removeUser':
      return removeUser(s, r);
    case 'startJob':
      return startJob(s, r);
    case 'cancelJob':
    case 'failJob':
      return finishJob(s, r);
    case 'retryJob':
      return retryJob(s, r);
    case 'createApiKey':
      // "own API keys: ADMIN, MEMBER, WORKFORCE_MANAGER, TASKER yes".
      return ok();
  }
}

// ---- The state a step leaves ----------------------------------------------------------------

/**
 * The state a successful step must leave, from the state before it; `after` (read from the
 * tables) only names what was made (the new resource, group, job or key) and the columns the
 * step does not decide. A refused step leaves the state as it was: "A mutation that fails
 * changes nothing".
 */
export function expectedAfter(before: State, r: Resolved, after: State, idOfEmail: (email: string) => string): State {
  const s = copyState(before);
  const a = r.actor.id;
  const made = <V>(b: Map<string, V>, x: Map<string, V>) => [...x.keys()].filter((id) => !b.has(id));
  const setOf = <K>(m: Map<K, Set<string>>, k: K) => (m.get(k) ?? m.set(k, new Set()).get(k))!;
  const rolesOf = <K>(m: Map<K, Map<string, ResourceRole>>, k: K) => (m.get(k) ?? m.set(k, new Map()).get(k))!;
  switch (r.kind) {
    case 'createResource':
      // "The creator of a resource becomes its ADMIN."
      for (const id of made(before.resources, after.resources)) {
        s.resources.set(id, after.resources.get(id)!);
        rolesOf(s.direct, id).set(a, 'ADMIN');
      }
      break;
    case 'assignUser':
      // "Sets the role; a user already on the resource gets this role instead."
      for (const x of r.resourceIds) rolesOf(s.direct, x).set(r.user, r.role);
      break;
    case 'unassignUser':
      s.direct.get(r.resourceIds[0])?.delete(r.user);
      break;
    case 'assignGroup':
      for (const x of r.resourceIds) rolesOf(s.groupRoles, x).set(r.groupId, r.role);
      break;
    case 'unassignGroup':
      s.groupRoles.get(r.resourceIds[0])?.delete(r.groupId);
      break;
    case 'createGroup':
      for (const id of made(before.groups, after.groups)) {
        s.groups.set(id, { name: r.name!, createdBy: a });
        s.members.set(id, new Set(r.memberIds));
        s.managers.set(id, new Set(r.managerIds));
      }
      break;
    case 'updateGroup':
      if (r.name !== undefined) s.groups.get(r.groupId)!.name = r.name;
      if (r.memberIds !== undefined) s.members.set(r.groupId, new Set(r.memberIds));
      if (r.managerIds !== undefined) s.managers.set(r.groupId, new Set(r.managerIds));
      break;
    case 'deleteGroup':
      s.groups.delete(r.groupId);
      s.members.delete(r.groupId);
      s.managers.delete(r.groupId);
      for (const [, m] of s.groupRoles) m.delete(r.groupId);
      break;
    case 'addGroupMembers':
      for (const u of r.userIds) setOf(s.members, r.groupId).add(u);
      break;
    case 'removeGroupMembers':
      for (const u of r.userIds) s.members.get(r.groupId)?.delete(u);
      break;
    case 'addGroupManagers':
      for (const u of r.userIds) setOf(s.managers, r.groupId).add(u);
      break;
    case 'removeGroupManagers':
      for (const u of r.userIds) s.managers.get(r.groupId)?.delete(u);
      break;
    case 'inviteUsers':
      // Invited again: INVITED with the new role. READING: what a DECLINED person held (roles, groups) stays.
      for (const u of r.emails.map(idOfEmail)) {
        const row = after.people.get(u);
        s.people.set(u, { role: r.wsRole, status: 'INVITED', removedAt: false, internal: row?.internal ?? false });
      }
      break;
    case 'acceptInvitation':
      s.people.get(a)!.status = 'JOINED';
      break;
    case 'declineInvitation':
      // READING: declining keeps the roles given meanwhile ("unless its last one declined" says a DECLINED person may
      // still be a resource's direct ADMIN); whether their group places stay is not decided: taken as read.
      s.people.get(a)!.status = 'DECLINED';
      for (const [mine, read] of [[s.members, after.members], [s.managers, after.managers]]) {
        for (const [g, set] of mine) if (!read.get(g)?.has(a)) set.delete(a);
        for (const [g, set] of read) if (set.has(a) && s.groups.has(g)) setOf(mine, g).add(a);
      }
      break;
    case 'changeUserRole':
      s.people.get(r.user)!.role = r.wsRole;
      break;
    case 'removeUser': {
      // "The replacement ... becomes ADMIN of each, in the same transaction."
      const u = r.user;
      if (r.replacementUserId) for (const x of soleAdminOf(before, u)) rolesOf(s.direct, x).set(r.replacementUserId, 'ADMIN');
      // D1: status REMOVED, removedAt set. "REMOVED people hold no roles, groups or live API keys";
      // "Removing a person revokes their API keys ... and cancels their PROCESSING jobs (CANCELLED, cancelledBy = the remover)".
      Object.assign(s.people.get(u)!, { status: 'REMOVED', removedAt: true });
      for (const [, m] of s.direct) m.delete(u);
      for (const [, m] of s.members) m.delete(u);
      for (const [, m] of s.managers) m.delete(u);
      for (const [, k] of s.apiKeys) if (k.owner === u) k.live = false;
      for (const [, j] of s.jobs) {
        if (j.startedBy === u && j.status === 'PROCESSING') Object.assign(j, { status: 'CANCELLED' }, 'cancelledBy' in j ? { cancelledBy: a } : {});
      }
      break;
    }
    case 'startJob':
      // "The job starts PROCESSING."
      for (const id of made(before.jobs, after.jobs)) s.jobs.set(id, newJob(after.jobs.get(id)!, r.jobType, a, r.resourceIds[0], null));
      break;
    case 'cancelJob': {
      const j = s.jobs.get(r.jobId)!;
      Object.assign(j, { status: 'CANCELLED' }, 'cancelledBy' in j ? { cancelledBy: a } : {});
      break;
    }
    case 'failJob':
      s.jobs.get(r.jobId)!.status = 'ERROR';
      break;
    case 'retryJob': {
      // "A new PROCESSING job with the same type and target"; READING: started by whoever retries it.
      const old = before.jobs.get(r.jobId)!;
      for (const id of made(before.jobs, after.jobs)) s.jobs.set(id, newJob(after.jobs.get(id)!, old.type, a, old.resourceId, r.jobId));
      break;
    }
    case 'createApiKey':
      for (const id of made(before.apiKeys, after.apiKeys)) s.apiKeys.set(id, { owner: a, live: true });
      break;
  }
  return s;
}

function newJob(read: Job, type: JobType, startedBy: string, resourceId: string | null, retryOf: string | null): Job {
  return { type, status: 'PROCESSING', startedBy, resourceId, retryOf, ...('cancelledBy' in read ? { cancelledBy: null } : {}) };
}

// ---- Invariants -----------------------------------------------------------------------------

/** What must hold after every step, whatever happened: the broken ones, as [the rule, what breaks it]. */
export function brokenInvariants(s: State): Array<[string, string]> {
  const broken: Array<[string, string]> = [];
  for (const [r] of s.resources) {
    // "Every resource keeps at least one direct ADMIN who is INVITED or JOINED", unless its last one declined.
    const admins = [...(s.direct.get(r) ?? [])].filter(([, role]) => role === 'ADMIN').map(([u]) => statusOf(s, u));
    if (!admins.some((st) => LIVE.includes(st ?? '')) && !admins.includes('DECLINED')) {
      broken.push(['every resource keeps a direct ADMIN who is INVITED or JOINED', `resource ${r}: direct ADMINs ${admins.join(',') || 'none'}`]);
    }
  }
  for (const [g, managers] of s.managers) {
    // "Group managers must be internal users ... and not TASKERs".
    for (const u of managers) {
      if (cannotManage(s, u)) broken.push(['group managers are internal and not TASKERs', `group ${g} is managed by ${u}, ${s.people.get(u)?.internal ? 'internal' : 'external'} ${roleOf(s, u)}`]);
    }
  }
  // "the last ADMIN keeps the role": the workspace keeps a JOINED ADMIN.
  if (![...s.people.values()].some((m) => m.role === 'ADMIN' && m.status === 'JOINED')) broken.push(['the workspace keeps a JOINED ADMIN', 'none left']);
  for (const [u, m] of s.people) {
    // D1: a removed person's status is REMOVED and removedAt set (and only theirs).
    if ((m.status === 'REMOVED') !== m.removedAt) broken.push(['status REMOVED exactly when removedAt is set', `${u}: status ${m.status}, removedAt ${m.removedAt ? 'set' : 'unset'}`]);
    if (m.status !== 'REMOVED') continue;
    // "REMOVED people hold no roles, groups or live API keys and have no PROCESSING jobs."
    if ([...s.direct.values()].some((h) => h.has(u))) broken.push(['REMOVED people hold no resource role', u]);
    if ([...s.members.values(), ...s.managers.values()].some((x) => x.has(u))) broken.push(['REMOVED people are in no group', u]);
    if ([...s.apiKeys.values()].some((k) => k.owner === u && k.live)) broken.push(['REMOVED people have no live API key', u]);
    if ([...s.jobs.values()].some((j) => j.startedBy === u && j.status === 'PROCESSING')) broken.push(['REMOVED people have no PROCESSING job', u]);
  }
  return broken;
}

// ---- What one viewer sees -------------------------------------------------------------------

export interface View {
  viewerRole: WsRole;
  /** Each resource the viewer sees: their effective role, and its members as "user role via" (null: refused). */
  resources: Record<ResourceType, { nodes: Record<string, { viewerRole: ResourceRole | null; members: string[] | null }>; totalCount: number }>;
  /** Each group the viewer sees: its members and managers, null where refused (FORBIDDEN). */
  groups: Record<string, { members: string[] | null; managers: string[] | null }>;
  jobs: { nodes: Record<string, { status: string; user: { id: string; status: string }; cancelledBy?: string | null }>; totalCount: number };
  /** workspace.user(id) of one person. */
  one: { id: string; role: WsRole; status: string } | null;
  /** workspace.users (without REMOVED people), and with filter status REMOVED; null: refused (a TASKER). */
  users: { nodes: Record<string, { role: WsRole; status: string }>; totalCount: number } | null;
  removed: { nodes: string[]; totalCount: number } | null;
}

/** "see its members: workspace ADMIN, its ADMINs, and (projects) its TEAM_MANAGERs; TASKERs never". */
export function seesResourceMembers(s: State, v: string, r: string): boolean {
  if (roleOf(s, v) === 'ADMIN') return true;
  const eff = effective(s, v, r);
  return roleOf(s, v) !== 'TASKER' && (eff === 'ADMIN' || (s.resources.get(r)?.type === 'PROJECT' && eff === 'TEAM_MANAGER'));
}

/**
 * A resource's members as the viewer sees them, one per grant ("Users with a role on this
 * project, directly or through a group"), or null (refused). D5: "Lists of grants leave out
 * grants that come through a group the viewer may not see; via never names a group the viewer
 * may not see". Managers hold no role through their group ("members get the role; managers do not").
 */
function resourceMembers(s: State, v: string, r: string): string[] | null {
  if (!seesResourceMembers(s, v, r)) return null;
  const grants = [...(s.direct.get(r) ?? [])].map(([u, role]) => `${u} ${role} -`);
  for (const [g, role] of s.groupRoles.get(r) ?? []) {
    if (seesGroup(s, v, g)) for (const u of s.members.get(g) ?? []) grants.push(`${u} ${role} ${g}`);
  }
  return grants.sort();
}

/** What the rules give one JOINED viewer to see. */
export function expectedView(s: State, v: string, one: string): View {
  const resources = {} as View['resources'];
  for (const type of ['PROJECT', 'DATASET', 'ONTOLOGY'] as const) {
    const nodes = Object.fromEntries(
      [...s.resources].filter(([r, x]) => x.type === type && seesResource(s, v, r)).map(([r]) => [r, { viewerRole: effective(s, v, r), members: resourceMembers(s, v, r) }]),
    );
    resources[type] = { nodes, totalCount: Object.keys(nodes).length };
  }
  const groups = Object.fromEntries(
    [...s.groups.keys()]
      .filter((g) => seesGroup(s, v, g))
      .map((g) => [
        g,
        {
          members: seesGroupMembers(s, v, g) ? [...(s.members.get(g) ?? [])].sort() : null,
          managers: seesGroupManagers(s, v, g) ? [...(s.managers.get(g) ?? [])].sort() : null,
        },
      ]),
  );
  const seesPeople = roleOf(s, v) !== 'TASKER';
  const jobs = Object.fromEntries(
    [...s.jobs]
      .filter(([, j]) => seesJob(s, v, j))
      // D6: "job.user of a removed starter shows status REMOVED"; Job.cancelledBy (shown to viewers who see people).
      .map(([id, j]) => [id, { status: j.status, user: { id: j.startedBy, status: statusOf(s, j.startedBy)! }, ...(seesPeople && 'cancelledBy' in j ? { cancelledBy: j.cancelledBy ?? null } : {}) }]),
  );
  const person = (u: string) => ({ id: u, role: roleOf(s, u)!, status: statusOf(s, u)! });
  const people = [...s.people].filter(([, m]) => m.status !== 'REMOVED');
  const removed = [...s.people].filter(([, m]) => m.status === 'REMOVED').map(([u]) => u).sort();
  return {
    viewerRole: roleOf(s, v)!,
    resources,
    groups,
    jobs: { nodes: jobs, totalCount: Object.keys(jobs).length },
    one: seesPerson(s, v, one) ? person(one) : null,
    // D1: "workspace.users leaves REMOVED people out unless filter.status: REMOVED"; a TASKER sees no list of people.
    users: seesPeople ? { nodes: Object.fromEntries(people.map(([u, m]) => [u, { role: m.role, status: m.status }])), totalCount: people.length } : null,
    removed: seesPeople ? { nodes: removed, totalCount: removed.length } : null,
  };
}
