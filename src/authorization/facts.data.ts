import { queryRows, type Queryable } from '../database/sql';
import { liveKey } from '../modules/api-keys/api-keys.data';
import type { InvitationStatus, WorkspaceRole } from '../modules/users/membership.entity';
import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import type { JobStatus, JobType } from '../modules/jobs/job.entity';
import type { ObjectKind, SqlAtoms } from './conditions';
import { ROLE_RANK } from './roles';

/**
 * Everything the rules read, and nothing else: the SQL of the authorization module. Every rule
 * decides from these facts, so the rows read here are the rows a mutation must hold still while
 * it re-checks its rule (`lock: true` reads them FOR SHARE: a concurrent change that would take
 * a right away waits for the mutation's commit, and one that went first is seen).
 */

export interface Membership {
  workspaceId: string;
  userId: string;
  role: WorkspaceRole;
  /** INVITED, DECLINED or JOINED: a REMOVED person has no membership. */
  status: Exclude<InvitationStatus, 'REMOVED'>;
  /** The workspace itself, read in the same statement: `workspace(id)` then costs no other query. */
  workspace: { id: string; name: string; internalDomains: string[]; createdAt: Date };
}

/** A person an operation names, as the rules see them. */
export interface PersonFacts {
  workspaceId: string;
  userId: string;
  email: string;
  role: WorkspaceRole;
  status: InvitationStatus;
  /** Their email's domain is one of the workspace's internal domains. */
  internal: boolean;
}

export interface ResourceFacts {
  id: string;
  workspaceId: string;
  type: ResourceType;
  /** The viewer's direct role, and effective role (direct or through a group they are a member of). */
  directRole: ResourceRole | null;
  viewerRole: ResourceRole | null;
}

export interface GroupFacts {
  id: string;
  workspaceId: string;
  createdBy: string | null;
  viewerIsMember: boolean;
  viewerIsManager: boolean;
}

export interface JobFacts {
  id: string;
  workspaceId: string;
  startedBy: string;
  type: JobType;
  status: JobStatus;
  /** Its project or dataset (null once deleted). */
  resourceId: string | null;
}

export interface Lock {
  lock?: boolean;
}
const share = (o: Lock, alias: string) => (o.lock ? `FOR SHARE OF ${alias}` : '');

/** The viewer's memberships (any status but REMOVED), with their workspaces. An API key must still be live (neither revoked nor expired). */
export async function memberships(
  db: Queryable,
  userId: string,
  workspaceIds: readonly string[],
  apiKeyId: string | null,
  o: Lock = {},
): Promise<Membership[]> {
  return membershipRows(
    db,
    `WHERE m.user_id = $1 AND m.workspace_id = ANY($2::uuid[]) AND m.status <> 'REMOVED'
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM api_keys k WHERE k.id = $3::uuid AND ${liveKey('k')}))
      ${share(o, 'm')}`,
    [userId, workspaceIds, apiKeyId],
  );
}

/** The memberships (any status but REMOVED) of these people of one workspace: the job feed reads its subscribers' each round. */
export function members(db: Queryable, workspaceId: string, userIds: readonly string[]): Promise<Membership[]> {
  return membershipRows(db, `WHERE m.workspace_id = $1 AND m.user_id = ANY($2::uuid[]) AND m.status <> 'REMOVED'`, [workspaceId, userIds]);
}

async function membershipRows(db: Queryable, where: string, params: unknown[]): Promise<Membership[]> {
  const rows = await queryRows<Omit<Membership, 'workspace'> & { name: string; internalDomains: string[]; createdAt: Date }>(
    db,
    `SELECT m.workspace_id AS "workspaceId", m.user_id AS "userId", m.role, m.status,
            w.name, w.internal_domains AS "internalDomains", w.created_at AS "createdAt"
       FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
      ${where}`,
    params,
  );
  return rows.map(({ name, internalDomains, createdAt, ...m }) => ({ ...m, workspace: { id: m.workspaceId, name, internalDomains, createdAt } }));
}

/** People of one workspace by id, in any status (REMOVED included). */
export function people(db: Queryable, workspaceId: string, userIds: readonly string[]): Promise<PersonFacts[]> {
  return queryRows<PersonFacts>(
    db,
    `SELECT m.workspace_id AS "workspaceId", m.user_id AS "userId", u.email, m.role, m.status,
            (split_part(lower(u.email), '@', 2) = ANY(w.internal_domains)) AS internal
       FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.workspace_id = $1 AND m.user_id = ANY($2::uuid[])`,
    [workspaceId, userIds],
  );
}

export async function resources(db: Queryable, userId: string, ids: readonly string[], o: Lock = {}): Promise<Array<Omit<ResourceFacts, 'viewerRole'> & { groupRoles: ResourceRole[] | null }>> {
  return queryRows(
    db,
    `SELECT r.id, r.workspace_id AS "workspaceId", r.type,
            (SELECT ur.role FROM resource_user_roles ur WHERE ur.resource_id = r.id AND ur.user_id = $1) AS "directRole",
            (SELECT array_agg(gr.role) FROM resource_group_roles gr
               JOIN group_members gm ON gm.group_id = gr.group_id AND gm.user_id = $1
              WHERE gr.resource_id = r.id) AS "groupRoles"
       FROM resources r
      WHERE r.id = ANY($2::uuid[])
      ${share(o, 'r')}`,
    [userId, ids],
  );
}

export function groups(db: Queryable, userId: string, ids: readonly string[], o: Lock = {}): Promise<GroupFacts[]> {
  return queryRows<GroupFacts>(
    db,
    `SELECT g.id, g.workspace_id AS "workspaceId", g.created_by AS "createdBy",
            EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1) AS "viewerIsMember",
            EXISTS (SELECT 1 FROM group_managers m WHERE m.group_id = g.id AND m.user_id = $1) AS "viewerIsManager"
       FROM groups g
      WHERE g.id = ANY($2::uuid[])
      ${share(o, 'g')}`,
    [userId, ids],
  );
}

/** A person's direct roles on resources, by resource id. */
export async function directRoles(db: Queryable, userId: string, resourceIds: readonly string[]): Promise<Map<string, ResourceRole>> {
  const rows = await queryRows<{ resourceId: string; role: ResourceRole }>(
    db,
    `SELECT resource_id AS "resourceId", role FROM resource_user_roles WHERE user_id = $1 AND resource_id = ANY($2::uuid[])`,
    [userId, resourceIds],
  );
  return new Map(rows.map((r) => [r.resourceId, r.role]));
}

export function jobs(db: Queryable, ids: readonly string[]): Promise<JobFacts[]> {
  return queryRows<JobFacts>(
    db,
    `SELECT id, workspace_id AS "workspaceId", user_id AS "startedBy", type, status, COALESCE(project_id, dataset_id) AS "resourceId"
       FROM jobs WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}

/** A live API key's workspace and maker. */
export async function apiKey(db: Queryable, id: string): Promise<{ workspaceId: string; ownerId: string } | null> {
  const [row] = await queryRows(db, `SELECT workspace_id AS "workspaceId", user_id AS "ownerId" FROM api_keys WHERE id = $1 AND revoked_at IS NULL`, [id]);
  return row ?? null;
}

export async function webhook(db: Queryable, id: string): Promise<{ workspaceId: string } | null> {
  const [row] = await queryRows(db, `SELECT workspace_id AS "workspaceId" FROM webhooks WHERE id = $1`, [id]);
  return row ?? null;
}

export async function projectTag(db: Queryable, id: string): Promise<{ workspaceId: string } | null> {
  const [row] = await queryRows(db, `SELECT workspace_id AS "workspaceId" FROM project_tags WHERE id = $1`, [id]);
  return row ?? null;
}

export async function issueTag(db: Queryable, id: string): Promise<{ workspaceId: string; projectId: string | null } | null> {
  const [row] = await queryRows(db, `SELECT workspace_id AS "workspaceId", project_id AS "projectId" FROM issue_tags WHERE id = $1`, [id]);
  return row ?? null;
}

export async function issue(db: Queryable, id: string): Promise<{ projectId: string } | null> {
  const [row] = await queryRows(db, `SELECT project_id AS "projectId" FROM issues WHERE id = $1`, [id]);
  return row ?? null;
}

/** Who is in a group now (not REMOVED people), as ids: to tell who comes and who goes in new lists. */
export async function groupPeople(db: Queryable, groupId: string): Promise<{ members: string[]; managers: string[] }> {
  const rows = await queryRows<{ userId: string; manager: boolean }>(
    db,
    `SELECT x.user_id AS "userId", x.manager
       FROM (SELECT group_id, user_id, false AS manager FROM group_members UNION ALL SELECT group_id, user_id, true FROM group_managers) x
       JOIN groups g ON g.id = x.group_id
       JOIN memberships m ON m.workspace_id = g.workspace_id AND m.user_id = x.user_id AND m.status <> 'REMOVED'
      WHERE x.group_id = $1`,
    [groupId],
  );
  return { members: rows.filter((r) => !r.manager).map((r) => r.userId), managers: rows.filter((r) => r.manager).map((r) => r.userId) };
}

/**
 * The resources of which each person is the only direct ADMIN who is INVITED or JOINED (the
 * rule "every resource keeps one"): what removing them would hand over. By user id, in id order.
 */
export async function soleAdminOf(db: Queryable, workspaceId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ userId: string; id: string }>(
    db,
    `SELECT ur.user_id AS "userId", ur.resource_id AS id FROM resource_user_roles ur
      WHERE ur.workspace_id = $1 AND ur.user_id = ANY($2::uuid[]) AND ur.role = 'ADMIN'
        AND NOT EXISTS (SELECT 1 FROM resource_user_roles o JOIN memberships om ON om.workspace_id = o.workspace_id AND om.user_id = o.user_id
                         WHERE o.resource_id = ur.resource_id AND o.role = 'ADMIN' AND o.user_id <> ur.user_id AND om.status IN ('INVITED', 'JOINED'))
      ORDER BY ur.resource_id`,
    [workspaceId, userIds],
  );
  const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.userId)?.push(row.id);
  return out;
}

// ---- Scopes in SQL ----------------------------------------------------------------------------

/** Where a scope's object sits in a statement: a row alias; for people, the column holding their user id. */
export type AtomsAt<K extends ObjectKind> = K extends 'person' ? { userId: string } : string;

const rolesFrom = (lowest: ResourceRole) =>
  `ARRAY[${Object.entries(ROLE_RANK)
    .filter(([, rank]) => rank >= ROLE_RANK[lowest])
    .map(([name]) => `'${name}'`)
    .join(', ')}]::text[]`;

/** The SQL of each condition that reads the viewer's roles and ties, for a row of a kind. */
export function sqlAtoms<K extends ObjectKind>(kind: K, at: AtomsAt<K>): SqlAtoms {
  const columns = (map: Record<string, string>): SqlAtoms['column'] => (field) => {
    const column = map[field];
    if (!column) throw new Error(`a ${kind} row has no column for ${field}`);
    return column;
  };
  const a = at as string;
  switch (kind) {
    case 'person':
      return { column: columns({ userId: (at as { userId: string }).userId }) };
    case 'resource':
      return {
        column: columns({ type: `${a}.type` }),
        atLeast: (lowest, me) => {
          const only = lowest === 'USER' ? '' : ` AND x.role = ANY(${rolesFrom(lowest)})`;
          return `(EXISTS (SELECT 1 FROM resource_user_roles x WHERE x.resource_id = ${a}.id AND x.user_id = ${me}${only})
            OR EXISTS (SELECT 1 FROM resource_group_roles x JOIN group_members xm ON xm.group_id = x.group_id
                        WHERE x.resource_id = ${a}.id AND xm.user_id = ${me}${only}))`;
        },
      };
    case 'group':
      return {
        column: columns({ createdBy: `${a}.created_by` }),
        member: (me) => `EXISTS (SELECT 1 FROM group_members x WHERE x.group_id = ${a}.id AND x.user_id = ${me})`,
        manager: (me) => `EXISTS (SELECT 1 FROM group_managers x WHERE x.group_id = ${a}.id AND x.user_id = ${me})`,
      };
    case 'job':
      return { column: columns({ startedBy: `${a}.user_id` }) };
    case 'apiKey':
      return { column: columns({ ownerId: `${a}.user_id` }) };
  }
  throw new Error(`no SQL for a ${kind} scope`);
}
