import type { JobType } from '../modules/jobs/job.entity';
import type { ResourceRole } from '../modules/resources/resource.entity';
import type { WorkspaceRole } from '../modules/users/membership.entity';
import type { Viewer } from './conditions';
import type { Membership } from './facts.data';
import type { KeyNeed } from './key-scopes';
import { scopes, sees, type ScopeName } from './scopes';
import type { TargetName, TargetOf } from './targets';

/**
 * THE table of rules (docs/permissions.md). Every operation, and every field that shows
 * something not everyone who reaches it may see, names one rule here with `@auth(rule: ...)`.
 * The guard (guard.ts) enforces them on HTTP and WebSocket alike, and every mutation checks its
 * rule again inside its transaction (modules/common/mutation.ts); the AuthRule enum, the
 * schema's directives, `viewerCan` (capabilities.ts) and the README's permission table come
 * from this object. Who sees which object is decided by the scopes (scopes.ts), which the rules
 * use and which lists compose into their SQL (`lists`); inputs with another operation's effect
 * pass that operation's rule too (effects.ts).
 *
 * A rule names the target it is checked against (targets.ts), the membership the viewer needs
 * in the target's workspace, and `allow`:
 *   true      go on
 *   false     FORBIDDEN (the viewer may see the object but not do this)
 *   'hidden'  as if the object did not exist (NOT_FOUND, or null for a nullable field)
 * Deny by default: a field with no rule is refused by the schema test, and a rule missing
 * from this table fails the build. A request made with an API key passes a rule only if the
 * key's scopes reach the rule's `key` (FULL when unsaid).
 */
export type Verdict = boolean | 'hidden';

/** The viewer as a rule sees them: who, their role in the target's workspace, and that membership. */
export type Actor = Viewer & { membership: Membership | null };

interface Rule<N extends TargetName> {
  /** Who passes, in the words of docs/permissions.md (the README's table shows this). */
  who: string;
  target: N;
  /**
   * What the viewer must be in the target's workspace: JOINED (default), any status, signed in
   * with no membership, or not even signed in (`nothing`: `allow` is not asked, there is no actor).
   */
  needs?: 'joined' | 'invited-or-joined' | 'signed-in' | 'nothing';
  allow: (actor: Actor, target: TargetOf<N>, args: Record<string, any>) => Verdict;
  /** For a list's rule: which of its objects the list holds. */
  lists?: ScopeName;
  /**
   * The least scope an API key needs to pass (key-scopes.ts): READ for what queries, fields and
   * subscriptions read; JOBS for running jobs; `never` for what no key may do. Unsaid: FULL.
   */
  key?: KeyNeed;
}

function rule<N extends TargetName>(r: Rule<N>): Rule<N> {
  return r;
}

const always = () => true;
const isAdmin = (a: { role: WorkspaceRole }) => a.role === 'ADMIN';
const notTasker = (a: { role: WorkspaceRole }) => a.role !== 'TASKER';
const PROJECT_ISSUE_CREATORS: readonly ResourceRole[] = ['ADMIN', 'TEAM_MANAGER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'];

/** Hidden unless the viewer sees it; else what `then` says. */
const seen = <T>(visible: boolean, then: () => Verdict): Verdict => (visible ? then() : 'hidden');

/** Every person named is one the viewer sees (an unknown id reads the same: NOT_FOUND). */
const seesPeople = (a: Viewer, people: ReadonlyArray<{ userId: string } | null>) => people.every((p) => p !== null && sees(scopes.person, a, p));

/** Who may (re)start a job of this type on this resource. */
export const mayStartJob = (a: { role: WorkspaceRole }, type: JobType, r: { type: string; viewerRole: ResourceRole | null }) =>
  a.role === 'ADMIN' ||
  (type === 'DATA_IMPORT' ? r.type === 'DATASET' && r.viewerRole === 'ADMIN' : r.type === 'PROJECT' && (r.viewerRole === 'ADMIN' || r.viewerRole === 'TEAM_MANAGER'));

/**
 * assignUser/unassignUser: a workspace ADMIN, or for every resource named its ADMIN, or (projects)
 * its TEAM_MANAGER when neither the role given nor the role the person holds now is ADMIN. The
 * person must be one the viewer sees (a TASKER sees only themselves).
 */
function mayManageUserRoles(
  a: Actor,
  t: TargetOf<'resourcesInput'>,
  newRole: ResourceRole | null,
): Verdict {
  if (t.resources.some((r) => !sees(scopes.resource, a, r))) return 'hidden';
  const allowed =
    a.role === 'ADMIN' ||
    t.resources.every(
      (r) =>
        r.viewerRole === 'ADMIN' ||
        (r.type === 'PROJECT' && r.viewerRole === 'TEAM_MANAGER' && newRole !== 'ADMIN' && t.subjectRoles.get(r.id) !== 'ADMIN'),
    );
  if (!allowed) return false;
  // No person named: what the viewer may give anyone they see (viewerCan).
  return t.subject === undefined || seesPeople(a, [t.subject]) || 'hidden';
}

/** Add or remove a group's members: ADMINs; its managers; the WORKFORCE_MANAGER who created it. TASKERs manage no group. */
const mayEditMembers = (a: Actor, g: TargetOf<'groupArg'>['group']) =>
  a.role === 'ADMIN' || (a.role !== 'TASKER' && (g.viewerIsManager || (a.role === 'WORKFORCE_MANAGER' && g.createdBy === a.userId)));

/** A manager may not make themselves a member (they would get the group's roles); ADMINs and the creating WORKFORCE_MANAGER may. */
const mayJoinThemselves = (a: Actor, g: TargetOf<'groupArg'>['group']) =>
  a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && g.createdBy === a.userId);

export const policy = {
  // ---- Who am I, which workspaces --------------------------------------------------------
  viewer: rule({ key: 'READ', who: 'anyone signed in', target: 'signedIn', needs: 'signed-in', allow: always }),
  // The caller's own counter, a person's or (without a token) their address's: nobody else's.
  rateLimit: rule({ key: 'READ', who: 'anyone, with a token or without', target: 'anyone', needs: 'nothing', allow: always }),
  workspace: rule({ key: 'READ', who: 'members who have JOINED (null for anyone else)', target: 'workspaceArg', allow: always }),
  createWorkspace: rule({ key: 'never', who: 'anyone signed in; they become its first ADMIN', target: 'signedIn', needs: 'signed-in', allow: always }),
  updateWorkspace: rule({ who: 'ADMIN', target: 'workspaceArg', allow: isAdmin }),

  // ---- Users and invitations -------------------------------------------------------------
  seeMembers: rule({
    key: 'READ',
    who: 'ADMIN, MEMBER, WORKFORCE_MANAGER (not TASKER)',
    target: 'workspaceParent',
    lists: 'person',
    allow: notTasker,
  }),
  seeUser: rule({
    key: 'READ',
    who: 'ADMIN, MEMBER, WORKFORCE_MANAGER; a TASKER only themselves (anyone else is null to them)',
    target: 'personArg',
    allow: (a, t) => sees(scopes.person, a, t.person) || 'hidden',
  }),
  inviteUsers: rule({
    who: 'ADMIN (any role); WORKFORCE_MANAGER (TASKER only)',
    target: 'workspaceArg',
    allow: (a, _t, args) => a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && args.input?.role === 'TASKER'),
  }),
  answerInvitation: rule({ who: 'the invitee alone', target: 'workspaceArg', needs: 'invited-or-joined', allow: always }),
  removeUser: rule({
    who: 'ADMIN (anyone but an ADMIN); WORKFORCE_MANAGER (TASKERs only); a replacement takes each resource only from whoever may give it ADMIN',
    target: 'memberInput',
    allow: (a, t) =>
      seen(sees(scopes.person, a, t.person), () =>
        (a.role === 'ADMIN' && t.person.role !== 'ADMIN') || (a.role === 'WORKFORCE_MANAGER' && t.person.role === 'TASKER')
          ? t.replacement === undefined || seesPeople(a, [t.replacement]) || 'hidden'
          : false,
      ),
  }),
  changeUserRole: rule({
    who: "ADMIN; an ADMIN's role is taken only by themselves; the last ADMIN keeps the role",
    target: 'memberInput',
    allow: (a, t) => seen(sees(scopes.person, a, t.person), () => isAdmin(a) && (t.person.role !== 'ADMIN' || t.person.userId === a.userId)),
  }),

  // ---- Resources and resource roles ------------------------------------------------------
  seeResources: rule({
    key: 'READ',
    who: 'any member: ADMINs all, others those they hold a role on; the project tag filter (tagIds) ADMINs only',
    target: 'workspaceParent',
    lists: 'resource',
    allow: (a, _t, args) => args.filter?.tagIds == null || isAdmin(a),
  }),
  seeResource: rule({
    key: 'READ',
    who: 'a workspace ADMIN every resource; others those they hold an effective role on (null otherwise)',
    target: 'resourceIdArg',
    allow: (a, t) => sees(scopes.resource, a, t.resource) || 'hidden',
  }),
  createResource: rule({ who: 'ADMIN, MEMBER, WORKFORCE_MANAGER (not TASKER)', target: 'workspaceArg', allow: notTasker }),
  seeResourceMembers: rule({
    key: 'READ',
    who: 'workspace ADMIN; the resource ADMIN; a project TEAM_MANAGER; never a TASKER',
    target: 'resourceParent',
    lists: 'person',
    allow: (a, t) => seen(sees(scopes.resource, a, t.resource), () => sees(scopes.resourceMembers, a, t.resource)),
  }),
  assignUser: rule({
    who: 'workspace ADMIN; an ADMIN of every resource named; a project TEAM_MANAGER for roles other than ADMIN',
    target: 'resourcesInput',
    allow: (a, t, args) => mayManageUserRoles(a, t, args.input?.role ?? null),
  }),
  unassignUser: rule({
    who: 'workspace ADMIN; the resource ADMIN; a project TEAM_MANAGER for roles other than ADMIN',
    target: 'resourcesInput',
    allow: (a, t) => mayManageUserRoles(a, t, null),
  }),
  assignGroup: rule({
    who: 'workspace ADMIN; an ADMIN of every resource named; the group must be one they see',
    target: 'resourcesInput',
    allow: (a, t) =>
      seen(t.resources.every((r) => sees(scopes.resource, a, r)), () =>
        a.role === 'ADMIN' || t.resources.every((r) => r.viewerRole === 'ADMIN') ? seen(!!t.group && sees(scopes.group, a, t.group), () => true) : false,
      ),
  }),

  // ---- Groups ----------------------------------------------------------------------------
  seeGroups: rule({ key: 'READ', who: 'any member: ADMIN and WORKFORCE_MANAGER all, others their own', target: 'workspaceParent', lists: 'group', allow: always }),
  seeGroup: rule({
    key: 'READ',
    who: 'ADMIN and WORKFORCE_MANAGER every group; others the groups they belong to or manage (null otherwise)',
    target: 'groupIdArg',
    allow: (a, t) => (t.group && sees(scopes.group, a, t.group)) || 'hidden',
  }),
  createGroup: rule({
    who: 'ADMIN, WORKFORCE_MANAGER; the people named pass addGroupMembers and addGroupManagers',
    target: 'newGroupInput',
    allow: (a, t) => (a.role === 'ADMIN' || a.role === 'WORKFORCE_MANAGER' ? seesPeople(a, t.people) || 'hidden' : false),
  }),
  updateGroup: rule({
    who: 'ADMIN; the WORKFORCE_MANAGER who created it; new member and manager lists pass the rules of adding and removing them',
    target: 'groupArg',
    allow: (a, t) =>
      seen(sees(scopes.group, a, t.group), () =>
        a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && t.group.createdBy === a.userId) ? seesPeople(a, t.people) || 'hidden' : false,
      ),
  }),
  deleteGroup: rule({
    who: 'ADMIN; the WORKFORCE_MANAGER who created it',
    target: 'groupArg',
    allow: (a, t) => seen(sees(scopes.group, a, t.group), () => a.role === 'ADMIN' || (a.role === 'WORKFORCE_MANAGER' && t.group.createdBy === a.userId)),
  }),
  addGroupMembers: rule({
    who: "ADMIN; the group's managers, but not themselves; the WORKFORCE_MANAGER who created it",
    target: 'groupArg',
    allow: (a, t) =>
      seen(sees(scopes.group, a, t.group), () =>
        mayEditMembers(a, t.group) && (mayJoinThemselves(a, t.group) || !t.people.some((p) => p?.userId === a.userId))
          ? seesPeople(a, t.people) || 'hidden'
          : false,
      ),
  }),
  removeGroupMembers: rule({
    who: "ADMIN; the group's managers; the WORKFORCE_MANAGER who created it",
    target: 'groupArg',
    allow: (a, t) => seen(sees(scopes.group, a, t.group), () => (mayEditMembers(a, t.group) ? seesPeople(a, t.people) || 'hidden' : false)),
  }),
  editGroupManagers: rule({
    who: 'ADMIN',
    target: 'groupArg',
    allow: (a, t) => seen(sees(scopes.group, a, t.group), () => (isAdmin(a) ? seesPeople(a, t.people) || 'hidden' : false)),
  }),
  seeGroupMembers: rule({
    key: 'READ',
    who: 'anyone who sees the group, but not a TASKER (who sees no other person)',
    target: 'groupParent',
    lists: 'person',
    allow: (a, t) => seen(sees(scopes.group, a, t.group), () => sees(scopes.groupMembers, a, t.group)),
  }),
  seeGroupManagers: rule({
    key: 'READ',
    who: "ADMIN; the group's managers; the WORKFORCE_MANAGER who created it",
    target: 'groupParent',
    lists: 'person',
    allow: (a, t) => seen(sees(scopes.group, a, t.group), () => sees(scopes.groupManagers, a, t.group)),
  }),

  // ---- Tags and issues -------------------------------------------------------------------
  projectTags: rule({ key: 'READ', who: 'ADMIN', target: 'workspaceParent', allow: isAdmin }),
  editProjectTags: rule({ who: 'ADMIN', target: 'workspaceArg', allow: isAdmin }),
  // Only ADMINs see project tags: to anyone else a tag does not exist (NOT_FOUND), and a project they do not see neither.
  deleteProjectTag: rule({ who: 'ADMIN', target: 'projectTagArg', allow: (a) => isAdmin(a) || 'hidden' }),
  setProjectTags: rule({ who: 'ADMIN', target: 'projectArg', allow: (a, t) => isAdmin(a) || (sees(scopes.resource, a, t.resource) ? false : 'hidden') }),
  seeProjectTags: rule({ key: 'READ', who: 'ADMIN (null with FORBIDDEN for others)', target: 'resourceParent', allow: isAdmin }),
  issueTags: rule({ key: 'READ', who: 'any member', target: 'workspaceParent', allow: always }),
  seeIssues: rule({
    key: 'READ',
    who: 'anyone who sees the project (workspace ADMIN or any project role): its issues and issue tags',
    target: 'resourceParent',
    allow: (a, t) => sees(scopes.resource, a, t.resource) || 'hidden',
  }),
  createIssueTag: rule({
    who: 'workspace-level: ADMIN; project-level: workspace ADMIN or the project ADMIN',
    target: 'issueTagInput',
    allow: (a, t) => a.role === 'ADMIN' || (t.project === null ? false : seen(sees(scopes.resource, a, t.project), () => t.project!.viewerRole === 'ADMIN')),
  }),
  deleteIssueTag: rule({
    who: 'workspace-level: ADMIN; project-level: workspace ADMIN or the project ADMIN',
    target: 'issueTagArg',
    allow: (a, t) => a.role === 'ADMIN' || (t.project === null ? false : seen(sees(scopes.resource, a, t.project), () => t.project!.viewerRole === 'ADMIN')),
  }),
  createIssue: rule({
    who: 'workspace ADMIN; project ADMIN, TEAM_MANAGER, ANNOTATOR, ANNOTATOR_REVIEWER',
    target: 'projectArg',
    allow: (a, t) => a.role === 'ADMIN' || seen(sees(scopes.resource, a, t.resource), () => PROJECT_ISSUE_CREATORS.includes(t.resource.viewerRole!)),
  }),
  resolveIssue: rule({
    who: 'workspace ADMIN; any project role',
    target: 'issueArg',
    allow: (a, t) => sees(scopes.resource, a, t.resource) || 'hidden',
  }),

  // ---- Activity Center -------------------------------------------------------------------
  seeJobs: rule({ key: 'READ', who: 'any member: ADMINs every job, others the jobs they started', target: 'workspaceParent', lists: 'job', allow: always }),
  jobEvents: rule({ key: 'READ', who: 'any member: ADMINs every job, others the jobs they started', target: 'workspaceArg', lists: 'job', allow: always }),
  seeJob: rule({
    key: 'READ',
    who: 'ADMINs every job; others the jobs they started (null otherwise)',
    target: 'jobIdArg',
    allow: (a, t) => sees(scopes.job, a, t.job) || 'hidden',
  }),
  startJob: rule({
    key: 'JOBS',
    who: 'workspace ADMIN; DATA_IMPORT: the dataset ADMIN; LABEL_IMPORT, MODEL_TRAINING: the project ADMIN or TEAM_MANAGER',
    target: 'startJobInput',
    allow: (a, t) => seen(sees(scopes.resource, a, t.resource), () => mayStartJob(a, t.type, t.resource)),
  }),
  updateJob: rule({
    key: 'JOBS',
    who: 'its starter; workspace ADMIN',
    target: 'jobArg',
    allow: (a, t) => sees(scopes.job, a, t.job) || 'hidden',
  }),
  retryJob: rule({
    key: 'JOBS',
    who: 'whoever sees the job and may start it again (startJob)',
    target: 'jobToRetry',
    allow: (a, t) => sees(scopes.job, a, t.job) || 'hidden',
  }),

  // ---- API keys, audit, webhooks ---------------------------------------------------------
  // A key never makes another (nor a workspace): a leaked key must not outlive its own revocation.
  ownApiKeys: rule({ key: 'never', who: 'any member, their own keys', target: 'workspaceArg', allow: always }),
  seeOwnApiKeys: rule({ key: 'READ', who: 'any member, their own keys', target: 'workspaceParent', lists: 'apiKey', allow: always }),
  revokeApiKey: rule({ who: "the key's maker", target: 'apiKeyArg', allow: (a, t) => sees(scopes.apiKey, a, t) || 'hidden' }),
  auditLog: rule({ key: 'READ', who: 'ADMIN', target: 'workspaceParent', allow: isAdmin }),
  // Webhooks receive every job event of the workspace (what an ADMIN sees): ADMINs only, and to anyone else one does not exist.
  createWebhook: rule({ who: 'ADMIN', target: 'workspaceArg', allow: isAdmin }),
  deleteWebhook: rule({ who: 'ADMIN', target: 'webhookArg', allow: (a) => isAdmin(a) || 'hidden' }),
  seeWebhooks: rule({ key: 'READ', who: 'ADMIN', target: 'workspaceParent', allow: isAdmin }),
} as const;

export type RuleName = keyof typeof policy;
export const RULE_NAMES = Object.keys(policy) as RuleName[];
export type AnyRule = Rule<TargetName>;
