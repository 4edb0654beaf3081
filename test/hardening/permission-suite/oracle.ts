import type { Expectation, GroupTie, Outcome, PersonSpec, ResourceTie, ResRole, ResType, Scenario, Subject, Verdict, Viewer, WsRole } from './scenario';

/**
 * THE ORACLE: what docs/permissions.md and the contract say an operation
 * must answer, written from those documents alone. It imports nothing from src/ on purpose:
 * it is the second opinion the policy table (src/authorization/policy.ts) is checked against.
 *
 * Where the documents leave room, the reading chosen is written next to the rule, marked
 * READING, and listed in the suite's report.
 */

// ---- Words of docs/permissions.md -----------------------------------------------------------------

/** "Order, highest first: ADMIN > TEAM_MANAGER > ANNOTATOR_REVIEWER > REVIEWER = ANNOTATOR > USER." */
const RANK: Record<ResRole, number> = { ADMIN: 6, TEAM_MANAGER: 5, ANNOTATOR_REVIEWER: 4, REVIEWER: 3, ANNOTATOR: 3, USER: 2 };

/**
 * "A person's effective role on a resource is their direct role, or the highest role of any
 * group they are a member of (not merely a manager of) that holds a role on it."
 * READING: the highest of the direct role and the groups' roles; on a tie of equal ranks
 * (REVIEWER = ANNOTATOR) the direct role stands, and between groups ANNOTATOR (it may do more).
 */
export function effectiveRole(tie: ResourceTie): ResRole | null {
  const held = [...(tie.direct ? [tie.direct] : []), ...tie.groups]; // managedGroup: managers get nothing
  if (held.length === 0) return null;
  const top = Math.max(...held.map((r) => RANK[r]));
  const best = held.filter((r) => RANK[r] === top);
  if (tie.direct && best.includes(tie.direct)) return tie.direct;
  return best.includes('ANNOTATOR') ? 'ANNOTATOR' : best[0];
}

/** "see the resource: workspace ADMIN, or anyone with an effective role on it". */
export const seesResource = (role: WsRole, tie: ResourceTie) => role === 'ADMIN' || effectiveRole(tie) !== null;

/**
 * "see its members: workspace ADMIN, its ADMINs, and (projects) its TEAM_MANAGERs; TASKERs never"
 * (a TASKER sees no other person), of a resource the viewer sees.
 */
export const seesResourceMembers = (role: WsRole, tie: ResourceTie, type: ResType) =>
  seesResource(role, tie) &&
  (role === 'ADMIN' || (role !== 'TASKER' && (effectiveRole(tie) === 'ADMIN' || (type === 'PROJECT' && effectiveRole(tie) === 'TEAM_MANAGER'))));

/** "see every group: ADMIN yes, MEMBER own, WORKFORCE_MANAGER yes, TASKER own"; own = belongs to or manages. */
export const seesGroup = (role: WsRole, g: GroupTie) => role === 'ADMIN' || role === 'WORKFORCE_MANAGER' || g.member || g.manager;

/** "see a group's managers: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER no". */
export const seesManagers = (role: WsRole, g: GroupTie) =>
  seesGroup(role, g) && (role === 'ADMIN' || (role !== 'TASKER' && (g.manager || (role === 'WORKFORCE_MANAGER' && g.creator))));

/** "see other members: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER no" (themselves they see). */
export const seesPerson = (role: WsRole, self: boolean) => role !== 'TASKER' || self;

/** "see every job in the Activity Center: ADMIN yes; others own" (own = those they started). */
export const seesJob = (role: WsRole, startedByViewer: boolean) => role === 'ADMIN' || startedByViewer;

/** "startJob DATA_IMPORT: ADMIN of the dataset; LABEL_IMPORT, MODEL_TRAINING: ADMIN or TEAM_MANAGER of the project". */
export function mayStartOn(jobType: string, eff: ResRole | null): boolean {
  return jobType === 'DATA_IMPORT' ? eff === 'ADMIN' : eff === 'ADMIN' || eff === 'TEAM_MANAGER';
}

// ---- Helpers ---------------------------------------------------------------------------------

const same = (v: Verdict): Expectation => ({ gate: v, api: v });
const allow = same('allow');
const FORBIDDEN = same('FORBIDDEN');
const NOT_FOUND = same('NOT_FOUND');
/**
 * The operation's rule refuses (FORBIDDEN), and something it names is hidden (NOT_FOUND): the
 * documents do not order the two, so either answer is right (scenario.ts, Expectation.alt).
 */
const refusedAndHidden: Expectation = { gate: 'FORBIDDEN', api: 'FORBIDDEN', alt: 'NOT_FOUND' };
/** The rule's refusal and a hidden object named, as one answer: FORBIDDEN, NOT_FOUND, or either when both. */
function refusal(ruleAllows: boolean, namedVisible: boolean): Expectation | null {
  if (!ruleAllows) return namedVisible ? FORBIDDEN : refusedAndHidden;
  return namedVisible ? null : NOT_FOUND;
}
/** The gate lets the call through; the API still answers `api` (a lookup that finds nothing, a non-permission refusal). */
const past = (api: Outcome): Expectation => ({ gate: 'allow', api });
const yesNo = (ok: boolean): Expectation => (ok ? allow : FORBIDDEN);

/** Gate `gate`; when the gate lets it through, the API may still answer `api`. */
function then(gate: Expectation, api: Outcome | null): Expectation {
  return gate.gate === 'allow' && api !== null ? { gate: 'allow', api } : gate;
}

/**
 * Fields of an object the viewer reached: when they cannot see the object, its field is not
 * reached (NOT_FOUND / null). Its rule, asked anyway, may hide the object or answer as for a
 * visible one: the API never gets there, so either is right for the gate.
 */
function onReached(visible: boolean, field: Expectation): Expectation {
  return visible ? field : { gate: 'NOT_FOUND', api: 'NOT_FOUND', ...(field.gate !== 'NOT_FOUND' ? { gateAlt: field.gate } : {}) };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`scenario lacks ${what}`);
  return value;
}

// ---- The oracle ------------------------------------------------------------------------------

export function oracle(s: Scenario): Expectation {
  // "rateLimit: anyone, with a token or without": each reads their own counter.
  if (s.op === 'Query.rateLimit') return allow;
  // No token: nothing else but UNAUTHENTICATED.
  if (s.viewer === null) return same('UNAUTHENTICATED');
  const viewer: Viewer = s.viewer;
  const role = viewer.role;

  // Anyone signed in.
  if (s.op === 'Query.viewer' || s.op === 'Mutation.createWorkspace') return allow;

  // "The invitee alone": their own INVITED membership; answering twice or once JOINED is CONFLICT
  // (the contract: a mutation on a state that no longer allows it). Without a membership: NOT_FOUND.
  if (s.op === 'Mutation.acceptInvitation' || s.op === 'Mutation.declineInvitation') {
    if (viewer.status === 'INVITED') return allow;
    if (viewer.status === 'JOINED' || viewer.status === 'DECLINED') return past('CONFLICT');
    return NOT_FOUND;
  }

  // "joined = their membership status is JOINED (INVITED and DECLINED people see nothing of the
  // workspace but their invitation). A workspace the viewer has not joined does not exist for
  // them (workspace(id) is null, mutations answer NOT_FOUND)."
  if (viewer.status !== 'JOINED') return NOT_FOUND;
  // "The same holds for every object they may not see": an object of another workspace, or none.
  const placed = s.place ?? 'here';

  switch (s.op) {
    case 'Query.workspace':
      return placed === 'here' ? allow : NOT_FOUND;

    // ---- Workspace roles table -----------------------------------------------------------
    case 'Mutation.updateWorkspace':
      return yesNo(role === 'ADMIN');
    case 'Mutation.inviteUsers': {
      // "inviteUsers: ADMIN any role; WORKFORCE_MANAGER TASKER only". "inviting an INVITED or JOINED email is CONFLICT";
      // "A DECLINED user may be invited again".
      const gate = yesNo(role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && need(s.wsRole, 'wsRole') === 'TASKER'));
      return then(gate, s.invitee === 'INVITED' || s.invitee === 'JOINED' ? 'CONFLICT' : null);
    }
    case 'Mutation.removeUser': {
      // "removeUser: ADMIN anyone but an ADMIN; WORKFORCE_MANAGER TASKERs only"; "ADMINs cannot be removed through the API (FORBIDDEN)".
      // "Acting on people needs seeing them": a TASKER acting on anyone but themselves is NOT_FOUND; so is
      // acting on a REMOVED person (decision 1). The scenarios name no one who is the only ADMIN of anything.
      const subject = need(s.subject, 'subject');
      if (!subjectIsHere(subject) || !seesPerson(role, subject.self)) return NOT_FOUND;
      return yesNo(mayRemove(role, subject.role));
    }
    case 'Mutation.changeUserRole': {
      // "changeUserRole: ADMIN yes, but ADMIN is taken from a person only by themselves" (decision 9: another ADMIN's
      // role is FORBIDDEN to change); "the last ADMIN keeps the role" (the scenarios always keep another ADMIN).
      const subject = need(s.subject, 'subject');
      if (!subjectIsHere(subject) || !seesPerson(role, subject.self)) return NOT_FOUND;
      return yesNo(role === 'ADMIN' && (subject.role !== 'ADMIN' || subject.self));
    }
    case 'Workspace.users':
      // "see other members: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER no".
      return yesNo(role !== 'TASKER');
    case 'Workspace.user': {
      // A TASKER sees no one but themselves ("the same holds for every object they may not see": anyone
      // else is not there); a REMOVED person is answered (status REMOVED) to those who see people (decision 1).
      const subject = need(s.subject, 'subject');
      return subject.place === 'here' && seesPerson(role, subject.self) ? allow : NOT_FOUND;
    }
    case 'Mutation.createProject':
    case 'Mutation.createDataset':
    case 'Mutation.createOntology':
      return yesNo(role !== 'TASKER');
    case 'Mutation.createGroup': {
      const { members, managers } = createGroupPeople(s.people ?? 'none');
      return createGroupOutcome(viewer, members, managers);
    }

    // ---- Workspace's lists and lookups ---------------------------------------------------
    // A list the viewer may read holds what they may see (else the object is not listed: 'NOT_FOUND' past the
    // gate); a single object they may not see is as if it did not exist (null: NOT_FOUND at the gate).
    case 'Workspace.groups':
    case 'Workspace.group': {
      // "see every group: ADMIN, WORKFORCE_MANAGER yes; MEMBER, TASKER own".
      const visible = placed === 'here' && seesGroup(role, need(s.group, 'group'));
      return visible ? allow : s.op === 'Workspace.groups' ? past('NOT_FOUND') : NOT_FOUND;
    }
    case 'Workspace.projects':
    case 'Workspace.datasets':
    case 'Workspace.ontologies':
    case 'Workspace.project':
    case 'Workspace.dataset':
    case 'Workspace.ontology': {
      // "see every project, dataset, ontology: ADMIN yes; others those they hold a role on";
      // the project list's tag filter names project tags, which only ADMINs see.
      if (s.tagFilter) return yesNo(role === 'ADMIN');
      const visible = placed === 'here' && seesResource(role, need(s.resource, 'resource'));
      return visible ? allow : s.op.endsWith('s') ? past('NOT_FOUND') : NOT_FOUND;
    }
    case 'Workspace.projectTags':
      // "project tags: see ... ADMIN yes, others no".
      return yesNo(role === 'ADMIN');
    case 'Workspace.issueTags':
      // Workspace-level issue tags: every member (issues and their tags are for everyone on a project).
      return allow;
    case 'Workspace.jobs':
    case 'Workspace.job': {
      // "see every job in the Activity Center: ADMIN yes; others own" (own = those they started).
      const visible = placed === 'here' && seesJob(role, need(s.startedByViewer, 'startedByViewer'));
      return visible ? allow : s.op === 'Workspace.jobs' ? past('NOT_FOUND') : NOT_FOUND;
    }
    case 'Workspace.apiKeys':
      // "own API keys": everyone, their own only.
      return need(s.ownKey, 'ownKey') ? allow : past('NOT_FOUND');
    case 'Workspace.auditLog':
      // The contract: "ADMINs only".
      return yesNo(role === 'ADMIN');
    case 'Mutation.createWebhook':
    case 'Workspace.webhooks':
      // "Webhooks (createWebhook, deleteWebhook, Workspace.webhooks): workspace ADMINs only."
      return yesNo(role === 'ADMIN');
    case 'Mutation.deleteWebhook':
      // Only ADMINs see webhooks: to anyone else one does not exist (as a project tag).
      return placed === 'here' && role === 'ADMIN' ? allow : NOT_FOUND;
    case 'Mutation.createApiKey':
    case 'Subscription.jobEvents':
      return allow;

    // ---- A resource's fields ------------------------------------------------------------
    case 'Project.members':
    case 'Dataset.members':
    case 'Ontology.members': {
      // "see its members: workspace ADMIN, its ADMINs, and (projects) its TEAM_MANAGERs; TASKERs never" (null with FORBIDDEN, decision 4).
      const tie = need(s.resource, 'resource');
      if (!seesResource(role, tie)) return NOT_FOUND;
      return yesNo(seesResourceMembers(role, tie, typeOfOp(s.op)));
    }
    case 'Project.tags':
      // The contract: "Visible to workspace ADMINs only: null with FORBIDDEN for others."
      return onReached(seesResource(role, need(s.resource, 'resource')), yesNo(role === 'ADMIN'));
    case 'Project.issues':
    case 'Project.issueTags':
      // "resolveIssue, see issues: workspace ADMIN; any project role".
      return seesResource(role, need(s.resource, 'resource')) ? allow : NOT_FOUND;

    // ---- A group's fields ----------------------------------------------------------------
    case 'Group.members': {
      // "see other members: TASKER no" (a TASKER sees no other person, and manages no group): null with FORBIDDEN (decision 4).
      const g = need(s.group, 'group');
      return onReached(seesGroup(role, g), yesNo(role !== 'TASKER'));
    }
    case 'Group.managers': {
      // "see a group's managers: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER no".
      const g = need(s.group, 'group');
      return onReached(seesGroup(role, g), yesNo(seesManagers(role, g)));
    }

    // ---- Group mutations -----------------------------------------------------------------
    case 'Mutation.updateGroup':
    case 'Mutation.deleteGroup': {
      // "update or delete a group: ADMIN yes; WORKFORCE_MANAGER groups they created; others no".
      const g = need(s.group, 'group');
      if (placed !== 'here' || !seesGroup(role, g)) return NOT_FOUND;
      return yesNo(role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && g.creator));
    }
    case 'Mutation.addGroupMembers':
    case 'Mutation.removeGroupMembers':
    case 'Mutation.addGroupManagers':
    case 'Mutation.removeGroupManagers':
      return groupPeopleOutcome(s.op, role, placed === 'here' ? need(s.group, 'group') : null, need(s.subject, 'subject'));

    // ---- Resource roles ------------------------------------------------------------------
    case 'Mutation.assignUser':
    case 'Mutation.unassignUser': {
      // "assignUser / unassignUser on a project: workspace ADMIN; project ADMIN; project TEAM_MANAGER for roles other
      // than ADMIN"; "on a dataset or ontology: workspace ADMIN; its ADMIN".
      // READING: "roles other than ADMIN" binds both the role given and the role taken away: a TEAM_MANAGER
      // neither makes nor unmakes (demotes, unassigns) an ADMIN.
      if (placed !== 'here') return NOT_FOUND;
      const subject = need(s.subject, 'subject');
      const named: ResourceTie[] = [need(s.resource, 'resource'), ...(s.resource2 ? [s.resource2] : [])];
      if (role !== 'ADMIN' && named.some((tie) => !seesResource(role, tie))) return NOT_FOUND;
      const given = s.op === 'Mutation.assignUser' ? need(s.role, 'role') : null;
      const ruleAllows = mayGiveRoles(role, need(s.resourceType, 'resourceType'), named, given, subject.directRole);
      // "Acting on people needs seeing them" (a TASKER names only themselves; a person of no workspace of the viewer is no one).
      const refused = refusal(ruleAllows, subjectVisible(role, subject));
      if (refused) return refused;
      // "A DECLINED or REMOVED person cannot [be given roles] (BAD_USER_INPUT)"; "An INVITED user can".
      return given && (subject.status === 'DECLINED' || subject.status === 'REMOVED') ? past('BAD_USER_INPUT') : allow;
    }
    case 'Mutation.assignGroup':
    case 'Mutation.unassignGroup': {
      // "assignGroup / unassignGroup: workspace ADMIN; an ADMIN of every resource named"; naming a group the viewer
      // may not see is NOT_FOUND, as an unknown group (decision 11).
      if (placed !== 'here') return NOT_FOUND;
      const ties = [need(s.resource, 'resource'), ...(s.resource2 ? [s.resource2] : [])];
      if (role !== 'ADMIN' && ties.some((t) => !seesResource(role, t))) return NOT_FOUND;
      const ruleAllows = role === 'ADMIN' || ties.every((t) => effectiveRole(t) === 'ADMIN');
      const groupVisible = (s.groupPlace ?? 'here') === 'here' && seesGroup(role, need(s.group, 'group'));
      return refusal(ruleAllows, groupVisible) ?? allow;
    }

    // ---- Tags and issues -----------------------------------------------------------------
    case 'Mutation.createProjectTag':
      return yesNo(role === 'ADMIN');
    case 'Mutation.deleteProjectTag':
      // Only ADMINs see project tags: to anyone else a tag does not exist.
      return placed === 'here' && role === 'ADMIN' ? allow : NOT_FOUND;
    case 'Mutation.setProjectTags': {
      // "setProjectTags: workspace ADMIN". The tags must be tags of the project's workspace (an unknown tag id is bad input).
      if (placed !== 'here') return NOT_FOUND;
      if (role !== 'ADMIN') return seesResource(role, need(s.resource, 'resource')) ? FORBIDDEN : NOT_FOUND;
      return then(allow, (s.tagPlace ?? 'here') === 'here' ? null : 'BAD_USER_INPUT');
    }
    case 'Mutation.createIssueTag':
    case 'Mutation.deleteIssueTag': {
      // "workspace-level issue tags: create, delete: ADMIN"; "create a project-level issue tag: workspace ADMIN; project ADMIN".
      // READING: deleting a project-level tag takes what creating it takes.
      if (placed !== 'here') return NOT_FOUND;
      if (need(s.tagLevel, 'tagLevel') === 'workspace') return yesNo(role === 'ADMIN');
      if (role === 'ADMIN') return allow;
      const tie = need(s.resource, 'resource');
      if (!seesResource(role, tie)) return NOT_FOUND;
      return yesNo(effectiveRole(tie) === 'ADMIN');
    }
    case 'Mutation.createIssue': {
      // "createIssue: workspace ADMIN; project ADMIN, TEAM_MANAGER, ANNOTATOR, ANNOTATOR_REVIEWER". Tags must be ones the project sees.
      if (placed !== 'here') return NOT_FOUND;
      const tie = need(s.resource, 'resource');
      let gate: Expectation;
      if (role === 'ADMIN') gate = allow;
      else if (!seesResource(role, tie)) gate = NOT_FOUND;
      else gate = yesNo(['ADMIN', 'TEAM_MANAGER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'].includes(effectiveRole(tie)!));
      return then(gate, s.tagPlace !== undefined && s.tagPlace !== 'here' ? 'BAD_USER_INPUT' : null);
    }
    case 'Mutation.resolveIssue':
      // "resolveIssue: workspace ADMIN; any project role".
      return placed === 'here' && seesResource(role, need(s.resource, 'resource')) ? allow : NOT_FOUND;

    // ---- Activity Center -----------------------------------------------------------------
    case 'Mutation.startJob': {
      if (placed !== 'here') return NOT_FOUND;
      if (role === 'ADMIN') return allow;
      const tie = need(s.resource, 'resource');
      if (!seesResource(role, tie)) return NOT_FOUND;
      return yesNo(mayStartOn(need(s.jobType, 'jobType'), effectiveRole(tie)));
    }
    case 'Mutation.reportJobProgress':
    case 'Mutation.completeJob':
    case 'Mutation.failJob':
    case 'Mutation.cancelJob':
      // "report progress, complete, fail, cancel a job: its starter; workspace ADMIN". Others do not see it.
      return placed === 'here' && (role === 'ADMIN' || need(s.startedByViewer, 'startedByViewer')) ? allow : NOT_FOUND;
    case 'Mutation.retryJob': {
      // The contract: "needs the right to start it"; and one must see the job first.
      if (placed !== 'here' || !(role === 'ADMIN' || need(s.startedByViewer, 'startedByViewer'))) return NOT_FOUND;
      return yesNo(role === 'ADMIN' || mayStartOn(need(s.jobType, 'jobType'), effectiveRole(need(s.resource, 'resource'))));
    }

    // ---- API keys ------------------------------------------------------------------------
    case 'Mutation.revokeApiKey':
      // "own API keys": someone else's key does not exist for the viewer, not even for an ADMIN.
      return placed === 'here' && need(s.ownKey, 'ownKey') ? allow : NOT_FOUND;
  }
  throw new Error(`the oracle has no rule for ${s.op}`);
}

/** The subject is a (not removed) member of the workspace the operation is about. */
function subjectIsHere(subject: NonNullable<Scenario['subject']>): boolean {
  return subject.place === 'here' && subject.status !== 'REMOVED';
}

/** A person an input names is one the viewer may see: of this workspace (REMOVED people too, decision 1), and not another's if a TASKER. */
export function subjectVisible(role: WsRole, subject: Pick<Subject, 'self' | 'place'>): boolean {
  return subject.place === 'here' && seesPerson(role, subject.self);
}

/** "removeUser: ADMIN anyone but an ADMIN; WORKFORCE_MANAGER TASKERs only"; "ADMINs cannot be removed through the API". */
export const mayRemove = (role: WsRole, subjectRole: WsRole) =>
  subjectRole !== 'ADMIN' && (role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && subjectRole === 'TASKER'));

/** The assignUser/unassignUser table row, for resources the viewer sees: `given` the role given (null: unassigning). */
export function mayGiveRoles(role: WsRole, type: ResType, ties: ResourceTie[], given: ResRole | null, subjectRole: ResRole | null): boolean {
  return (
    role === 'ADMIN' ||
    ties.every((tie) => {
      const eff = effectiveRole(tie);
      return eff === 'ADMIN' || (type === 'PROJECT' && eff === 'TEAM_MANAGER' && given !== 'ADMIN' && subjectRole !== 'ADMIN');
    })
  );
}

/** A PersonSpec as the subject of a gate scenario (the viewer's own role and status for `self`). */
export function asSubject(p: PersonSpec, viewer: Viewer): Subject {
  return p.self
    ? { self: true, role: viewer.role, status: 'JOINED', place: 'here', internal: true, directRole: null }
    : { self: false, role: p.role, status: p.status, place: p.place, internal: p.internal, directRole: null };
}

/**
 * add/removeGroupMembers, add/removeGroupManagers naming one person, on a group the viewer is
 * tied to as `g` says (null: a group of no workspace of theirs).
 */
export function groupPeopleOutcome(op: string, role: WsRole, g: GroupTie | null, subject: Subject): Expectation {
  if (!g || !seesGroup(role, g)) return NOT_FOUND;
  const adding = op.startsWith('Mutation.add');
  const managers = op.endsWith('Managers');
  let ruleAllows: boolean;
  if (managers) {
    // "add or remove group managers: ADMIN yes; others no".
    ruleAllows = role === 'ADMIN';
  } else {
    // "add or remove group members: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or
    // manage; TASKER no (TASKERs manage no group)". "A group's manager may not add themselves to the group's members
    // (FORBIDDEN) ... ADMINs and the group's creator may" (decision 10: the WORKFORCE_MANAGER who created it).
    ruleAllows = role === 'ADMIN' || (role !== 'TASKER' && (g.manager || (role === 'WORKFORCE_MANAGER' && g.creator)));
    if (adding && subject.self && !(role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && g.creator))) ruleAllows = false;
  }
  const refused = refusal(ruleAllows, subjectVisible(role, subject));
  if (refused) return refused;
  // "A DECLINED or REMOVED person cannot [be put in groups] (BAD_USER_INPUT)"; "Adding an external or TASKER manager is BAD_USER_INPUT".
  if (adding && (subject.status === 'DECLINED' || subject.status === 'REMOVED')) return past('BAD_USER_INPUT');
  if (adding && managers && (!subject.internal || subject.role === 'TASKER')) return past('BAD_USER_INPUT');
  return allow;
}

/** The people createGroup's gate scenarios name. */
export function createGroupPeople(people: NonNullable<Scenario['people']>): { members: PersonSpec[]; managers: PersonSpec[] } {
  const other = (over: Partial<PersonSpec> = {}): PersonSpec => ({ role: 'MEMBER', status: 'JOINED', internal: true, place: 'here', ...over });
  const self: PersonSpec = { self: true, role: 'MEMBER', status: 'JOINED', internal: true, place: 'here' };
  switch (people) {
    case 'none':
      return { members: [], managers: [] };
    case 'member':
      return { members: [other()], managers: [] };
    case 'member-elsewhere':
      return { members: [other({ place: 'elsewhere' })], managers: [] };
    case 'member-DECLINED':
      return { members: [other({ status: 'DECLINED' })], managers: [] };
    case 'member-REMOVED':
      return { members: [other({ status: 'REMOVED' })], managers: [] };
    case 'self-member':
      return { members: [self], managers: [] };
    case 'internal-manager':
      return { members: [], managers: [other()] };
    case 'external-manager':
      return { members: [], managers: [other({ internal: false })] };
    case 'tasker-manager':
      return { members: [], managers: [other({ role: 'TASKER' })] };
    case 'self-manager':
      return { members: [], managers: [self] };
  }
}

/**
 * createGroup with these memberIds and managerIds: "createGroup: ADMIN, WORKFORCE_MANAGER"; the
 * people named must be ones the viewer sees; and "createGroup ... managerIds are
 * addGroupManagers, their memberIds are addGroupMembers" on the group as it will be (made by
 * the viewer, who neither belongs to it nor manages it).
 */
export function createGroupOutcome(viewer: Viewer, members: PersonSpec[], managers: PersonSpec[]): Expectation & { effects: boolean } {
  const role = viewer.role;
  const implied = impliedGroupChanges(viewer, { member: false, manager: false, creator: true }, { addMembers: members, addManagers: managers });
  const effects = implied.every((e) => e.gate === 'allow');
  const visible = [...members, ...managers].every((p) => subjectVisible(role, asSubject(p, viewer)));
  const refused = refusal(role === 'ADMIN' || role === 'WORKFORCE_MANAGER', visible);
  if (refused) return { ...refused, effects };
  if (!effects) return { ...FORBIDDEN, effects };
  return { ...(implied.some((e) => e.api === 'BAD_USER_INPUT') ? past('BAD_USER_INPUT') : allow), effects };
}

/** The group-people operations a change of a group's lists stands for, each person on its own. */
export function impliedGroupChanges(
  viewer: Viewer,
  g: GroupTie,
  changes: { addMembers?: PersonSpec[]; removeMembers?: PersonSpec[]; addManagers?: PersonSpec[]; removeManagers?: PersonSpec[] },
): Expectation[] {
  const ask = (op: string, people: PersonSpec[] = []) => people.map((p) => groupPeopleOutcome(op, viewer.role, g, asSubject(p, viewer)));
  return [
    ...ask('Mutation.addGroupMembers', changes.addMembers),
    ...ask('Mutation.removeGroupMembers', changes.removeMembers),
    ...ask('Mutation.addGroupManagers', changes.addManagers),
    ...ask('Mutation.removeGroupManagers', changes.removeManagers),
  ];
}

function typeOfOp(op: string): ResType {
  return op.startsWith('Project.') ? 'PROJECT' : op.startsWith('Dataset.') ? 'DATASET' : 'ONTOLOGY';
}
