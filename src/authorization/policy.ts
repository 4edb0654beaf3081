import type { WorkspaceRole } from '../modules/users/membership.entity';
import type { ResourceRole } from '../modules/resources/resource.entity';
import type { Membership } from './access';
import { type TargetName, type TargetOf } from './targets';

/**
 * THE table of rules (../shared/PERMISSIONS.md). Every operation, and every field that shows
 * something not everyone who reaches it may see, names one rule here with `@auth(rule: ...)`.
 * The guard (guard.ts) enforces them on HTTP and WebSocket alike; the AuthRule enum, the
 * schema's directives and the README's permission table come from this object.
 *
 * A rule names the target it is checked against (targets.ts), the membership the viewer needs
 * in the target's workspace, and `allow`:
 *   true      go on
 *   false     FORBIDDEN (the viewer may see the object but not do this)
 *   'hidden'  as if the object did not exist (NOT_FOUND, or null for a nullable field)
 * Deny by default: a field with no rule is refused by the schema test, and a rule missing
 * from this table fails the build.
 */
export type Verdict = boolean | 'hidden';

/** The viewer as a rule sees them: their membership of the target's workspace. */
export interface Actor {
  userId: string;
  /** Absent for rules that need no membership. */
  membership: Membership | null;
}

interface Rule<N extends TargetName> {
  /** Who passes, in the words of PERMISSIONS.md (the README's table shows this). */
  who: string;
  target: N;
  /** What the viewer must be in the target's workspace: JOINED (default), any status, or nothing. */
  needs?: 'joined' | 'invited-or-joined' | 'signed-in';
  allow: (actor: Actor & { role: WorkspaceRole }, target: TargetOf<N>, args: Record<string, any>) => Verdict;
}

function rule<N extends TargetName>(r: Rule<N>): Rule<N> {
  return r;
}

const always = () => true;
const isAdmin = (a: { role: WorkspaceRole }) => a.role === 'ADMIN';
const notTasker = (a: { role: WorkspaceRole }) => a.role !== 'TASKER';
const PROJECT_ISSUE_CREATORS: readonly ResourceRole[] = ['ADMIN', 'TEAM_MANAGER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'];

/** ADMINs and WORKFORCE_MANAGERs see every group; others the groups they belong to or manage. */
export const seesGroup = (a: { role: WorkspaceRole }, g: { viewerIsMember: boolean; viewerIsManager: boolean }) =>
  a.role === 'ADMIN' || a.role === 'WORKFORCE_MANAGER' || g.viewerIsMember || g.viewerIsManager;

/** A workspace ADMIN sees every resource; others those they hold an effective role on. */
export const seesResource = (a: { role: WorkspaceRole }, r: { viewerRole: ResourceRole | null }) =>
  a.role === 'ADMIN' || r.viewerRole !== null;

/** A resource's members: workspace ADMINs, its ADMINs, a project's TEAM_MANAGERs; TASKERs never. */
export const seesResourceMembers = (a: { role: WorkspaceRole }, r: { type: string; viewerRole: ResourceRole | null }) =>
  a.role === 'ADMIN' ||
  (a.role !== 'TASKER' && (r.viewerRole === 'ADMIN' || (r.type === 'PROJECT' && r.viewerRole === 'TEAM_MANAGER')));

/** Who may (re)start a job of this type on this resource. */
const mayStartJob = (a: { role: WorkspaceRole }, type: string, r: { type: string; viewerRole: ResourceRole | null }) =>
  a.role === 'ADMIN' ||
  (type === 'DATA_IMPORT' ? r.type === 'DATASET' && r.viewerRole === 'ADMIN' : r.type === 'PROJECT' && (r.viewerRole === 'ADMIN' || r.viewerRole === 'TEAM_MANAGER'));

/**
 * assignUser/unassignUser: a workspace ADMIN, or for every resource named its ADMIN, or (projects)
 * its TEAM_MANAGER when neither the role given nor the role the person holds now is ADMIN.
 */
function mayManageUserRoles(
  a: { role: WorkspaceRole },
  t: { resources: Array<{ id: string; type: string; viewerRole: ResourceRole | null }>; subjectRoles: Map<string, ResourceRole> },
  newRole: ResourceRole | null,
): Verdict {
  if (a.role === 'ADMIN') return true;
  if (t.resources.some((r) => !seesResource(a, r))) return 'hidden';
  return t.resources.every(
    (r) =>
      r.viewerRole === 'ADMIN' ||
      (r.type === 'PROJECT' && r.viewerRole === 'TEAM_MANAGER' && newRole !== 'ADMIN' && t.subjectRoles.get(r.id) !== 'ADMIN'),
  );
}

/**
 * A TASKER sees no other person of the workspace, so acting on one finds no one (NOT_FOUND,
 * as for an id that is no member): a refusal would tell them the id is a member's. Answers
 * false where it does not apply, for the rule's own test to decide.
 */
const hiddenFromTasker = (a: { role: WorkspaceRole; userId: string }, t: { userId: string }): 'hidden' | false =>
  a.role === 'TASKER' && t.userId !== a.userId ? 'hidden' : false;

export const policy = {
  // ---- Who am I, which workspaces --------------------------------------------------------
  viewer: rule({ who: 'anyone signed in', target: 'signedIn', needs: 'signed-in', allow: always }),
  workspace: rule({ who: 'members who have JOINED (null for anyone else)', target: 'workspaceArg', allow: always }),
  createWorkspace: rule({ who: 'anyone signed in; they become its first ADMIN', target: 'signedIn', needs: 'signed-in', allow: always }),
  updateWorkspace: rule({ who: 'ADMIN', target: 'workspaceArg', allow: isAdmin }),

  // ---- Users and invitations -------------------------------------------------------------
  seeMembers: rule({ who: 'ADMIN, MEMBER, WORKFORCE_MANAGER (not TASKER)', target: 'workspaceParent', allow: notTasker }),
  seeUser: rule({
    who: 'ADMIN, MEMBER, WORKFORCE_MANAGER; a TASKER only themselves (anyone else is null to them)',
    target: 'workspaceParent',
    allow: (a, _t, args) => notTasker(a) || args.id === a.userId || 'hidden',
  }),
  inviteUsers: rule({
    who: 'ADMIN (any role); WORKFORCE_MANAGER (TASKER only)',
    target: 'workspaceArg',
    allow: (a, _t, args) => a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && args.input?.role === 'TASKER'),
  }),
  answerInvitation: rule({ who: 'the invitee alone', target: 'workspaceArg', needs: 'invited-or-joined', allow: always }),
  removeUser: rule({
    who: 'ADMIN (anyone but an ADMIN); WORKFORCE_MANAGER (TASKERs only)',
    target: 'workspaceUserInput',
    allow: (a, t) =>
      hiddenFromTasker(a, t) || (a.role === 'ADMIN' && t.role !== 'ADMIN') || (a.role === 'WORKFORCE_MANAGER' && t.role === 'TASKER'),
  }),
  changeUserRole: rule({
    who: 'ADMIN; the last ADMIN keeps the role',
    target: 'workspaceUserInput',
    allow: (a, t) => hiddenFromTasker(a, t) || isAdmin(a),
  }),

  // ---- Resources and resource roles ------------------------------------------------------
  seeResources: rule({
    who: 'any member: ADMINs all, others those they hold a role on; the project tag filter (tagIds) ADMINs only',
    target: 'workspaceParent',
    allow: (a, _t, args) => args.filter?.tagIds == null || isAdmin(a),
  }),
  createResource: rule({ who: 'ADMIN, MEMBER, WORKFORCE_MANAGER (not TASKER)', target: 'workspaceArg', allow: notTasker }),
  seeResourceMembers: rule({
    who: 'workspace ADMIN; the resource ADMIN; a project TEAM_MANAGER; never a TASKER',
    target: 'resourceParent',
    allow: (a, t) => (seesResource(a, t.resource) ? seesResourceMembers(a, t.resource) : 'hidden'),
  }),
  assignUser: rule({
    who: 'workspace ADMIN; an ADMIN of every resource named; a project TEAM_MANAGER for roles other than ADMIN',
    target: 'resourcesInput',
    allow: (a, t, args) => mayManageUserRoles(a, t, args.input?.role),
  }),
  unassignUser: rule({
    who: 'workspace ADMIN; the resource ADMIN; a project TEAM_MANAGER for roles other than ADMIN',
    target: 'resourcesInput',
    allow: (a, t) => mayManageUserRoles(a, t, null),
  }),
  assignGroup: rule({
    who: 'workspace ADMIN; an ADMIN of every resource named',
    target: 'resourcesInput',
    allow: (a, t) =>
      a.role === 'ADMIN' ||
      (t.resources.some((r) => !seesResource(a, r)) ? 'hidden' : t.resources.every((r) => r.viewerRole === 'ADMIN')),
  }),

  // ---- Groups ----------------------------------------------------------------------------
  seeGroups: rule({ who: 'any member: ADMIN and WORKFORCE_MANAGER all, others their own', target: 'workspaceParent', allow: always }),
  createGroup: rule({ who: 'ADMIN, WORKFORCE_MANAGER', target: 'workspaceArg', allow: (a) => a.role === 'ADMIN' || a.role === 'WORKFORCE_MANAGER' }),
  editGroup: rule({
    who: 'ADMIN; the WORKFORCE_MANAGER who created it',
    target: 'groupArg',
    allow: (a, t) => (!seesGroup(a, t.group) ? 'hidden' : a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && t.group.createdBy === a.userId)),
  }),
  editGroupMembers: rule({
    who: "ADMIN; the group's managers; the WORKFORCE_MANAGER who created it",
    target: 'groupArg',
    allow: (a, t) =>
      !seesGroup(a, t.group)
        ? 'hidden'
        : a.role === 'ADMIN' || t.group.viewerIsManager || (a.role === 'WORKFORCE_MANAGER' && t.group.createdBy === a.userId),
  }),
  editGroupManagers: rule({ who: 'ADMIN', target: 'groupArg', allow: (a, t) => (!seesGroup(a, t.group) ? 'hidden' : isAdmin(a)) }),
  seeGroupMembers: rule({
    who: "anyone who sees the group, but a TASKER only in groups they manage",
    target: 'groupParent',
    allow: (a, t) => notTasker(a) || t.group.viewerIsManager,
  }),
  seeGroupManagers: rule({
    who: "ADMIN; the group's managers; the WORKFORCE_MANAGER who created it",
    target: 'groupParent',
    allow: (a, t) => a.role === 'ADMIN' || t.group.viewerIsManager || (a.role === 'WORKFORCE_MANAGER' && t.group.createdBy === a.userId),
  }),

  // ---- Tags and issues -------------------------------------------------------------------
  projectTags: rule({ who: 'ADMIN', target: 'workspaceParent', allow: isAdmin }),
  editProjectTags: rule({ who: 'ADMIN', target: 'workspaceArg', allow: isAdmin }),
  // Only ADMINs see project tags: to anyone else a tag does not exist (NOT_FOUND), and a project they do not see neither.
  deleteProjectTag: rule({ who: 'ADMIN', target: 'projectTagArg', allow: (a) => isAdmin(a) || 'hidden' }),
  setProjectTags: rule({ who: 'ADMIN', target: 'projectArg', allow: (a, t) => isAdmin(a) || (seesResource(a, t.resource) ? false : 'hidden') }),
  seeProjectTags: rule({ who: 'ADMIN (null with FORBIDDEN for others)', target: 'resourceParent', allow: isAdmin }),
  issueTags: rule({ who: 'any member', target: 'workspaceParent', allow: always }),
  seeIssues: rule({
    who: "anyone who sees the project (workspace ADMIN or any project role): its issues and issue tags",
    target: 'resourceParent',
    allow: (a, t) => (seesResource(a, t.resource) ? true : 'hidden'),
  }),
  createIssueTag: rule({
    who: 'workspace-level: ADMIN; project-level: workspace ADMIN or the project ADMIN',
    target: 'issueTagInput',
    allow: (a, t) =>
      a.role === 'ADMIN' || (t.project === null ? false : !seesResource(a, t.project) ? 'hidden' : t.project.viewerRole === 'ADMIN'),
  }),
  deleteIssueTag: rule({
    who: 'workspace-level: ADMIN; project-level: workspace ADMIN or the project ADMIN',
    target: 'issueTagArg',
    allow: (a, t) =>
      a.role === 'ADMIN' || (t.project === null ? false : !seesResource(a, t.project) ? 'hidden' : t.project.viewerRole === 'ADMIN'),
  }),
  createIssue: rule({
    who: 'workspace ADMIN; project ADMIN, TEAM_MANAGER, ANNOTATOR, ANNOTATOR_REVIEWER',
    target: 'projectArg',
    allow: (a, t) =>
      a.role === 'ADMIN' || (!seesResource(a, t.resource) ? 'hidden' : PROJECT_ISSUE_CREATORS.includes(t.resource.viewerRole!)),
  }),
  resolveIssue: rule({
    who: 'workspace ADMIN; any project role',
    target: 'issueArg',
    allow: (a, t) => (seesResource(a, t.resource) ? true : 'hidden'),
  }),

  // ---- Activity Center -------------------------------------------------------------------
  seeJobs: rule({ who: 'any member: ADMINs every job, others the jobs they started', target: 'workspaceParent', allow: always }),
  jobEvents: rule({ who: 'any member: ADMINs every job, others the jobs they started', target: 'workspaceArg', allow: always }),
  startJob: rule({
    who: 'workspace ADMIN; DATA_IMPORT: the dataset ADMIN; LABEL_IMPORT, MODEL_TRAINING: the project ADMIN or TEAM_MANAGER',
    target: 'startJobInput',
    allow: (a, t) => (!seesResource(a, t.resource) ? 'hidden' : mayStartJob(a, t.type, t.resource)),
  }),
  updateJob: rule({
    who: 'its starter; workspace ADMIN',
    target: 'jobArg',
    allow: (a, t) => a.role === 'ADMIN' || t.startedBy === a.userId || 'hidden',
  }),
  retryJob: rule({
    who: 'whoever may see the job and start it again',
    target: 'jobArg',
    allow: (a, t) =>
      a.role !== 'ADMIN' && t.startedBy !== a.userId ? 'hidden' : t.resource !== null && mayStartJob(a, t.type, t.resource),
  }),

  // ---- API keys and audit ----------------------------------------------------------------
  ownApiKeys: rule({ who: 'any member, their own keys', target: 'workspaceArg', allow: always }),
  seeOwnApiKeys: rule({ who: 'any member, their own keys', target: 'workspaceParent', allow: always }),
  revokeApiKey: rule({ who: 'the key\'s maker', target: 'apiKeyArg', allow: (a, t) => t.ownerId === a.userId || 'hidden' }),
  auditLog: rule({ who: 'ADMIN', target: 'workspaceParent', allow: isAdmin }),
} as const;

export type RuleName = keyof typeof policy;
export const RULE_NAMES = Object.keys(policy) as RuleName[];
export type AnyRule = Rule<TargetName>;
