import {
  all,
  any,
  atLeast,
  holds,
  isViewer,
  manager,
  member,
  resourceType,
  role,
  toSql,
  unconditional,
  type Condition,
  type ObjectFacts,
  type ObjectKind,
  type SqlParams,
  type Viewer,
} from './conditions';
import { sqlAtoms, type AtomsAt } from './facts.data';
import type { WorkspaceRole } from '../modules/users/membership.entity';

/**
 * WHO SEES WHAT (docs/permissions.md): for each kind of object, which of them a viewer
 * may see. One definition per scope answers both questions the service asks: whether one
 * loaded object is visible (`sees`), and which rows a list, count, search or feed holds
 * (`scopeSql`, composed into its WHERE clause). The rules of policy.ts use the same scopes, so
 * a list never holds an object that its single-object field hides, and a count never counts one.
 */
export interface Scope<K extends ObjectKind> {
  kind: K;
  /** In the words of docs/permissions.md (the README shows them). */
  who: string;
  condition: Condition<K>;
}

const scope = <K extends ObjectKind>(kind: K, who: string, condition: Condition<K>): Scope<K> => ({ kind, who, condition });

/** A TASKER sees no other person, and so no list of people. */
const notTasker = <K extends ObjectKind>() => role<K>('ADMIN', 'MEMBER', 'WORKFORCE_MANAGER');
const seesResource = any<'resource'>(role('ADMIN'), atLeast('USER'));
const seesGroup = any<'group'>(role('ADMIN', 'WORKFORCE_MANAGER'), member(), manager());

export const scopes = {
  person: scope('person', 'ADMIN, MEMBER, WORKFORCE_MANAGER see everyone; a TASKER only themselves', any(notTasker(), isViewer('userId'))),
  resource: scope('resource', 'a workspace ADMIN every resource; others those they hold an effective role on', seesResource),
  resourceMembers: scope(
    'resource',
    "a resource's members: workspace ADMINs, its ADMINs, a project's TEAM_MANAGERs; never a TASKER",
    all(seesResource, any(role('ADMIN'), all(notTasker(), any(atLeast('ADMIN'), all(resourceType('PROJECT'), atLeast('TEAM_MANAGER')))))),
  ),
  group: scope('group', 'ADMIN and WORKFORCE_MANAGER every group; others the groups they belong to or manage', seesGroup),
  groupMembers: scope('group', "a group's members: whoever sees the group, but not a TASKER (who sees no other person)", all(seesGroup, notTasker())),
  groupManagers: scope(
    'group',
    "a group's managers: ADMINs; its managers; the WORKFORCE_MANAGER who created it",
    all(seesGroup, any(role('ADMIN'), all(notTasker(), any(manager(), all(role('WORKFORCE_MANAGER'), isViewer('createdBy')))))),
  ),
  job: scope('job', 'ADMINs every job; others the jobs they started', any(role('ADMIN'), isViewer('startedBy'))),
  apiKey: scope('apiKey', 'their maker alone', isViewer('ownerId')),
} as const;

export type ScopeName = keyof typeof scopes;

/** Whether the viewer sees one object. */
export function sees<K extends ObjectKind>(s: Scope<K>, viewer: Viewer, facts: ObjectFacts[K]): boolean {
  return holds(s.condition, viewer, facts);
}

/** Whether a workspace role sees every object of the scope (an ADMIN every resource): then no object's facts need reading. */
export function seesEvery<K extends ObjectKind>(s: Scope<K>, viewerRole: WorkspaceRole): boolean {
  let byRole = everyByScope.get(s);
  if (!byRole) everyByScope.set(s, (byRole = new Map()));
  let every = byRole.get(viewerRole);
  if (every === undefined) byRole.set(viewerRole, (every = unconditional(s.condition, viewerRole)));
  return every;
}
const everyByScope = new WeakMap<object, Map<WorkspaceRole, boolean>>();

/**
 * The scope as a predicate over a row of the statement being built: `at` names the row (an
 * alias, or for people the column holding the user id). TRUE when the viewer sees every row.
 */
export function scopeSql<K extends ObjectKind>(s: Scope<K>, viewer: Viewer, at: AtomsAt<K>, params: SqlParams): string {
  return toSql(s.condition, viewer, sqlAtoms(s.kind, at), params);
}

// ---- Scopes of what ties objects together ------------------------------------------------------

/**
 * A grant: a role someone holds on a resource, directly (`via` null) or through a group. Shown
 * when the viewer sees the resource, and either holds the grant themselves or may see the
 * resource's members; and when it comes through a group, the viewer sees that group.
 */
export function seesGrant(
  viewer: Viewer,
  grant: { resource: ObjectFacts['resource']; holderId: string | null; via: ObjectFacts['group'] | null },
): boolean {
  return (
    sees(scopes.resource, viewer, grant.resource) &&
    (grant.holderId === viewer.userId || sees(scopes.resourceMembers, viewer, grant.resource)) &&
    (grant.via === null || sees(scopes.group, viewer, grant.via))
  );
}

/**
 * `seesGrant` in SQL: the resource's row alias; the SQL that says the viewer holds the grant
 * (given the viewer's id parameter), or null when a grant's holder cannot be the viewer; the
 * group's alias (null: direct grants only).
 */
export function grantSql(
  viewer: Viewer,
  at: { resource: string; viewerHolds: ((me: string) => string) | null; via: string | null },
  params: SqlParams,
): string {
  const resource = scopeSql(scopes.resource, viewer, at.resource, params);
  const members = scopeSql(scopes.resourceMembers, viewer, at.resource, params);
  const holds = members === 'TRUE' || at.viewerHolds === null ? members : `(${at.viewerHolds(`${params.add(viewer.userId)}::uuid`)} OR ${members})`;
  const group = at.via === null ? 'TRUE' : scopeSql(scopes.group, viewer, at.via, params);
  const via = group === 'TRUE' ? 'TRUE' : `(${at.via}.id IS NULL OR ${group})`;
  return [resource, holds, via].every((c) => c === 'TRUE') ? 'TRUE' : `(${resource} AND ${holds} AND ${via})`;
}

/**
 * A person's tie to a group (WorkspaceUser.groups): the groups they belong to that the viewer
 * sees, and the groups they manage whose managers the viewer may see (a member never learns
 * who manages their group this way).
 */
export function seesGroupTie(viewer: Viewer, tie: { group: ObjectFacts['group']; member: boolean }): boolean {
  return sees(scopes.group, viewer, tie.group) && (tie.member || sees(scopes.groupManagers, viewer, tie.group));
}
