import type { Expectation, GroupTie, Outcome, ResourceTie, ResRole, ResType, Scenario, Verdict, Viewer, WsRole } from './scenario';

/**
 * THE ORACLE: what PERMISSIONS.md (../shared/PERMISSIONS.md) and the contract say an operation
 * must answer, written from those documents alone. It imports nothing from src/ on purpose:
 * it is the second opinion the policy table (src/authorization/policy.ts) is checked against.
 *
 * Where the documents leave room, the reading chosen is written next to the rule, marked
 * READING, and listed in the suite's report.
 */

// ---- Words of PERMISSIONS.md -----------------------------------------------------------------

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
const seesResource = (role: WsRole, tie: ResourceTie) => role === 'ADMIN' || effectiveRole(tie) !== null;

/** "see every group: ADMIN yes, MEMBER own, WORKFORCE_MANAGER yes, TASKER own"; own = belongs to or manages. */
const seesGroup = (role: WsRole, g: GroupTie) => role === 'ADMIN' || role === 'WORKFORCE_MANAGER' || g.member || g.manager;

/** "startJob DATA_IMPORT: ADMIN of the dataset; LABEL_IMPORT, MODEL_TRAINING: ADMIN or TEAM_MANAGER of the project". */
function mayStartOn(jobType: string, eff: ResRole | null): boolean {
  return jobType === 'DATA_IMPORT' ? eff === 'ADMIN' : eff === 'ADMIN' || eff === 'TEAM_MANAGER';
}

// ---- Helpers ---------------------------------------------------------------------------------

const same = (v: Verdict): Expectation => ({ gate: v, api: v });
const allow = same('allow');
const FORBIDDEN = same('FORBIDDEN');
const NOT_FOUND = same('NOT_FOUND');
/** The gate lets the call through; the API still answers `api` (a lookup that finds nothing, a non-permission refusal). */
const past = (api: Outcome): Expectation => ({ gate: 'allow', api });
const yesNo = (ok: boolean): Expectation => (ok ? allow : FORBIDDEN);

/** Gate `gate`; when the gate lets it through, the API may still answer `api`. */
function then(gate: Expectation, api: Outcome | null): Expectation {
  return gate.gate === 'allow' && api !== null ? { gate: 'allow', api } : gate;
}

/** Fields of an object the viewer reached: when they cannot see the object, its field is not reached (NOT_FOUND / null). */
function onReached(visible: boolean, field: Expectation): Expectation {
  return visible ? field : { gate: field.gate, api: 'NOT_FOUND' };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`scenario lacks ${what}`);
  return value;
}

// ---- The oracle ------------------------------------------------------------------------------

export function oracle(s: Scenario): Expectation {
  // No token: nothing but UNAUTHENTICATED.
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
      // A TASKER may not see other members, and "the same holds for every object they may not see".
      const subject = need(s.subject, 'subject');
      if (!subjectIsHere(subject) || (role === 'TASKER' && !subject.self)) return NOT_FOUND;
      if (subject.role === 'ADMIN') return FORBIDDEN;
      return yesNo(role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && subject.role === 'TASKER'));
    }
    case 'Mutation.changeUserRole': {
      // "changeUserRole: ADMIN yes; the last ADMIN keeps the role" (the scenarios always keep another ADMIN).
      const subject = need(s.subject, 'subject');
      if (!subjectIsHere(subject) || (role === 'TASKER' && !subject.self)) return NOT_FOUND;
      return yesNo(role === 'ADMIN');
    }
    case 'Workspace.users':
      // "see other members: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER no".
      return yesNo(role !== 'TASKER');
    case 'Workspace.user': {
      // A TASKER sees no one but themselves ("the same holds for every object they may not see":
      // anyone else is not there); for others the lookup finds members of this workspace only.
      const subject = need(s.subject, 'subject');
      if (role === 'TASKER' && !subject.self) return NOT_FOUND;
      return then(allow, subjectIsHere(subject) ? null : 'NOT_FOUND');
    }
    case 'Mutation.createProject':
    case 'Mutation.createDataset':
    case 'Mutation.createOntology':
      return yesNo(role !== 'TASKER');
    case 'Mutation.createGroup': {
      // "createGroup: ADMIN yes, WORKFORCE_MANAGER yes". People named must be of the workspace
      // (NOT_FOUND otherwise); "Adding an external manager is BAD_USER_INPUT".
      // READING: naming managers at creation is part of createGroup, which WORKFORCE_MANAGERs may do
      // (the row "add or remove group managers: ADMIN only" is read as addGroupManagers/removeGroupManagers).
      const gate = yesNo(role === 'ADMIN' || role === 'WORKFORCE_MANAGER');
      const people = s.people ?? 'none';
      return then(gate, people === 'member-elsewhere' ? 'NOT_FOUND' : people === 'external-manager' ? 'BAD_USER_INPUT' : null);
    }

    // ---- Workspace's lists and lookups ---------------------------------------------------
    case 'Workspace.groups':
    case 'Workspace.group': {
      // "see every group: ADMIN, WORKFORCE_MANAGER yes; MEMBER, TASKER own".
      const visible = placed === 'here' && seesGroup(role, need(s.group, 'group'));
      return visible ? allow : past('NOT_FOUND');
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
      return visible ? allow : past('NOT_FOUND');
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
      const visible = placed === 'here' && (role === 'ADMIN' || need(s.startedByViewer, 'startedByViewer'));
      return visible ? allow : past('NOT_FOUND');
    }
    case 'Workspace.apiKeys':
      // "own API keys": everyone, their own only.
      return need(s.ownKey, 'ownKey') ? allow : past('NOT_FOUND');
    case 'Workspace.auditLog':
      // The contract: "ADMINs only".
      return yesNo(role === 'ADMIN');
    case 'Mutation.createApiKey':
    case 'Subscription.jobEvents':
      return allow;

    // ---- A resource's fields ------------------------------------------------------------
    case 'Project.members':
    case 'Dataset.members':
    case 'Ontology.members': {
      // "see its members: workspace ADMIN, its ADMINs, and (projects) its TEAM_MANAGERs; TASKERs never".
      const tie = need(s.resource, 'resource');
      if (!seesResource(role, tie)) return NOT_FOUND;
      if (role === 'ADMIN') return allow;
      if (role === 'TASKER') return FORBIDDEN;
      const eff = effectiveRole(tie);
      return yesNo(eff === 'ADMIN' || (typeOfOp(s.op) === 'PROJECT' && eff === 'TEAM_MANAGER'));
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
      // "see other members: TASKER no". READING: a TASKER who manages the group sees its members
      // ("add or remove group members: TASKER groups they manage" needs them), not otherwise.
      const g = need(s.group, 'group');
      return onReached(seesGroup(role, g), yesNo(role !== 'TASKER' || g.manager));
    }
    case 'Group.managers': {
      // "see a group's managers: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER groups they manage".
      const g = need(s.group, 'group');
      return onReached(seesGroup(role, g), yesNo(role === 'ADMIN' || g.manager || (role === 'WORKFORCE_MANAGER' && g.creator)));
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
    case 'Mutation.removeGroupMembers': {
      // "add or remove group members: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER groups they manage".
      const g = need(s.group, 'group');
      if (placed !== 'here' || !seesGroup(role, g)) return NOT_FOUND;
      const gate = yesNo(role === 'ADMIN' || g.manager || (role === 'WORKFORCE_MANAGER' && g.creator));
      // Adding someone who is not in the workspace: NOT_FOUND. Removing someone who is not in the group changes nothing.
      const adding = s.op === 'Mutation.addGroupMembers';
      return then(gate, adding && !subjectIsHere(need(s.subject, 'subject')) ? 'NOT_FOUND' : null);
    }
    case 'Mutation.addGroupManagers':
    case 'Mutation.removeGroupManagers': {
      // "add or remove group managers: ADMIN yes; others no". "Adding an external manager is BAD_USER_INPUT."
      const g = need(s.group, 'group');
      if (placed !== 'here' || !seesGroup(role, g)) return NOT_FOUND;
      const subject = need(s.subject, 'subject');
      const adding = s.op === 'Mutation.addGroupManagers';
      return then(yesNo(role === 'ADMIN'), adding ? (!subjectIsHere(subject) ? 'NOT_FOUND' : !subject.internal ? 'BAD_USER_INPUT' : null) : null);
    }

    // ---- Resource roles ------------------------------------------------------------------
    case 'Mutation.assignUser':
    case 'Mutation.unassignUser': {
      // "assignUser / unassignUser on a project: workspace ADMIN; project ADMIN; project TEAM_MANAGER for roles other
      // than ADMIN"; "on a dataset or ontology: workspace ADMIN; its ADMIN".
      // READING: "roles other than ADMIN" binds both the role given and the role taken away: a TEAM_MANAGER
      // neither makes nor unmakes (demotes, unassigns) an ADMIN.
      if (placed !== 'here') return NOT_FOUND;
      const type = need(s.resourceType, 'resourceType');
      const subject = need(s.subject, 'subject');
      const given = s.op === 'Mutation.assignUser' ? need(s.role, 'role') : null;
      const named: Array<{ tie: ResourceTie; subjectRole: ResRole | null }> = [
        { tie: need(s.resource, 'resource'), subjectRole: subject.directRole },
        ...(s.resource2 ? [{ tie: s.resource2, subjectRole: null }] : []),
      ];
      let gate: Expectation;
      if (role === 'ADMIN') gate = allow;
      else if (named.some((r) => !seesResource(role, r.tie))) gate = NOT_FOUND;
      else {
        gate = yesNo(
          named.every(({ tie, subjectRole }) => {
            const eff = effectiveRole(tie);
            return eff === 'ADMIN' || (type === 'PROJECT' && eff === 'TEAM_MANAGER' && given !== 'ADMIN' && subjectRole !== 'ADMIN');
          }),
        );
      }
      // The person must be of the workspace ("Works on INVITED users too").
      return then(gate, subjectIsHere(subject) ? null : 'NOT_FOUND');
    }
    case 'Mutation.assignGroup':
    case 'Mutation.unassignGroup': {
      // "assignGroup / unassignGroup: workspace ADMIN; an ADMIN of every resource named".
      // READING: the row puts no condition on the group itself, so a resource ADMIN may name any group of the
      // workspace (not only one they see); a group of another workspace is NOT_FOUND.
      if (placed !== 'here') return NOT_FOUND;
      const ties = [need(s.resource, 'resource'), ...(s.resource2 ? [s.resource2] : [])];
      let gate: Expectation;
      if (role === 'ADMIN') gate = allow;
      else if (ties.some((t) => !seesResource(role, t))) gate = NOT_FOUND;
      else gate = yesNo(ties.every((t) => effectiveRole(t) === 'ADMIN'));
      return then(gate, (s.groupPlace ?? 'here') === 'here' ? null : 'NOT_FOUND');
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

function typeOfOp(op: string): ResType {
  return op.startsWith('Project.') ? 'PROJECT' : op.startsWith('Dataset.') ? 'DATASET' : 'ONTOLOGY';
}
