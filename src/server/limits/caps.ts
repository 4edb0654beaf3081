import { AppError } from '../errors';

/**
 * How large each list of the API may grow: product caps that writes keep (a change that would
 * pass one is refused with INVARIANT, see capExceeded) and lists that show at most so many.
 * The cost estimate multiplies by these (cost.ts), and every list field answers at most its
 * maximum (execution-budget.ts), so the estimate bounds what an operation returns.
 * docs/api.md ("Limits and costs") tells clients the same numbers.
 */
export const CAPS = {
  /** Groups in a workspace. */
  workspaceGroups: 500,
  /** People in a group (members). */
  groupMembers: 1000,
  /** Managers of a group. */
  groupManagers: 50,
  /** Groups a person belongs to or manages, in one workspace. */
  personGroups: 50,
  /** Roles a group holds on resources. */
  groupRoles: 200,
  /** Roles a person holds in a workspace: direct ones plus one per group role through each group. */
  personRoles: 1000,
  /** Members of a resource: its direct roles plus, for each group role on it, the group's members. */
  resourceMembers: 2000,
  /** Workspaces a person has joined (load tests and operators join many: generous, with `first`). */
  personWorkspaces: 1000,
  /** Live API keys of a person in a workspace. */
  apiKeys: 100,
  /** Project tags of a workspace. */
  projectTags: 200,
  /** Issue tags of a workspace (workspace-level), and of each project (its own). */
  issueTags: 200,
  /** Webhooks of a workspace (each is sent every event of the workspace). */
  webhooks: 20,
} as const;
export type CapName = keyof typeof CAPS;

/** Lists that show the newest so many, whatever the data holds. */
export const SHOWN = {
  /** Viewer.invitations. */
  invitations: 100,
  /** Project.issues (matching the filter). */
  projectIssues: 500,
} as const;

/** How many items one input may name (BAD_USER_INPUT beyond). */
export const AT_ONCE = {
  invitations: 100,
  resources: 100,
  issueTags: 100,
  internalDomains: 50,
} as const;

/**
 * The most items each list field answers, by `Type.field`. A list of an enum holds at most its
 * values, a connection's `nodes` its `first`: those need no entry. Every other list needs one
 * (test/costs/estimate.test.ts checks the schema), or the estimate refuses it.
 */
export const LIST_MAX: Readonly<Record<string, number>> = {
  'Workspace.groups': CAPS.workspaceGroups,
  'Workspace.apiKeys': CAPS.apiKeys,
  'Workspace.internalDomains': AT_ONCE.internalDomains,
  'Workspace.issueTags': CAPS.issueTags,
  'Workspace.projectTags': CAPS.projectTags,
  'Workspace.webhooks': CAPS.webhooks,
  'Group.members': CAPS.groupMembers,
  'Group.managers': CAPS.groupManagers,
  'Group.assignments': CAPS.groupRoles,
  'WorkspaceUser.groups': CAPS.personGroups,
  'WorkspaceUser.assignments': CAPS.personRoles,
  'Project.members': CAPS.resourceMembers,
  'Dataset.members': CAPS.resourceMembers,
  'Ontology.members': CAPS.resourceMembers,
  'Project.issues': SHOWN.projectIssues,
  'Project.issueTags': 2 * CAPS.issueTags,
  'Project.tags': CAPS.projectTags,
  'ProjectIssue.tags': AT_ONCE.issueTags,
  'SoleAdminResources.resources': CAPS.personRoles,
  'RemoveUserPayload.reassigned': CAPS.personRoles,
  'Viewer.workspaces': CAPS.personWorkspaces,
  'Viewer.invitations': SHOWN.invitations,
  'Mutation.inviteUsers': AT_ONCE.invitations,
  'Mutation.assignUser': AT_ONCE.resources,
  'Mutation.assignGroup': AT_ONCE.resources,
};

/**
 * INVARIANT: the change would pass a cap. `extensions.cap` names it, `extensions.max` is its
 * number; `extra` names what would pass it (a group, people, resources).
 */
export function capExceeded(cap: CapName, message: string, extra: Record<string, unknown> = {}): AppError {
  const max = CAPS[cap];
  return new AppError('INVARIANT', `${message} (at most ${max})`, { cap, max, ...extra });
}

/** The description of a list's optional `first`. */
export const firstDescription = (max: number) => `The first this many (0 to ${max}); without it, the whole list (at most ${max}). Lowers the operation's cost.`;
