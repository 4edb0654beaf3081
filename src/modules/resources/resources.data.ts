import type { Viewer } from '../../authorization/conditions';
import { visibleSql, type Visibility } from '../../authorization/lists';
import { SqlParams } from '../../authorization/conditions';
import { grantSql } from '../../authorization/scopes';
import { columnsOf, unprefix } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { groupColumns, groupFrom } from '../groups/groups.data';
import { PERSON_FROM, personColumns, personFrom } from '../users/users.data';
import type { ResourceAssignment, ResourceMember } from './assignment.types';
import { ResourceEntity, type ResourceRole, type ResourceType } from './resource.entity';
import type { Resource } from './resource.types';

/**
 * The SQL of the resources module: projects, datasets and ontologies, and the roles people and
 * groups hold on them; the locks their changes take.
 */

const RESOURCE_KEYS = ['id', 'workspaceId', 'type', 'name', 'description', 'createdAt'] as const;

/** A resource's columns from `resources <alias>`, each name prefixed. */
export function resourceColumns(alias = 'r', prefix = ''): string {
  return columnsOf(ResourceEntity, alias, { prefix, only: RESOURCE_KEYS });
}

/** The resource in a row read with `resourceColumns(alias, prefix)`; null for an outer join that found none. */
export function resourceFrom(row: Record<string, any>, prefix = ''): Resource | null {
  return unprefix<Resource>(row, prefix, RESOURCE_KEYS);
}

export async function resourcesByIds(db: Queryable, ids: readonly string[]): Promise<Resource[]> {
  const rows = await queryRows(db, `SELECT ${resourceColumns()} FROM resources r WHERE r.id = ANY($1::uuid[])`, [ids]);
  return rows.map((row) => resourceFrom(row)!);
}

/** A new resource, its creator its direct ADMIN. */
export async function insertResource(
  tx: Queryable,
  r: { id: string; workspaceId: string; type: ResourceType; name: string; description: string | null; createdBy: string },
): Promise<Resource> {
  const row = await queryOne(
    tx,
    `INSERT INTO resources AS r (id, workspace_id, type, name, description, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${resourceColumns()}`,
    [r.id, r.workspaceId, r.type, r.name, r.description, r.createdBy],
  );
  await tx.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [r.id, r.createdBy, r.workspaceId]);
  return resourceFrom(row!)!;
}

export interface ResourceQuery {
  workspaceId: string;
  type: ResourceType;
  /** Which resources the list holds (scopes.resource). */
  visible: Visibility<'resource'>;
  /** A LIKE pattern on the name. */
  search: string | null;
  /** Projects carrying every one of these tags. */
  tagIds: readonly string[];
  /** The last row of the previous page: [created_at in microseconds, id]. */
  after: [number, string] | null;
  limit: number;
}

/** One page of a workspace's resources of a type, newest first, and the count of all that match. */
export async function listResources(db: Queryable, q: ResourceQuery): Promise<{ rows: Array<Resource & { sortKey: number }>; total: number }> {
  const params: unknown[] = [q.workspaceId, q.type];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = [`r.workspace_id = $1`, `r.type = $2`, visibleSql(q.visible, 'r', params)];
  if (q.search) where.push(`r.name ILIKE ${add(q.search)} ESCAPE '\\'`);
  if (q.tagIds.length > 0) {
    const tags = add(q.tagIds);
    where.push(`(SELECT count(*) FROM project_tag_links l WHERE l.project_id = r.id AND l.tag_id = ANY(${tags}::uuid[])) = cardinality(${tags}::uuid[])`);
  }
  const filtered = where.join(' AND ');
  const sortKey = `(extract(epoch FROM r.created_at) * 1000000)::bigint`;
  const countParams = [...params];
  const page = q.after ? `${filtered} AND (${sortKey}, r.id) < (${add(q.after[0])}::bigint, ${add(q.after[1])}::uuid)` : filtered;
  const [rows, total] = await Promise.all([
    queryRows(db, `SELECT ${resourceColumns()}, ${sortKey} AS "sortKey" FROM resources r WHERE ${page} ORDER BY r.created_at DESC, r.id DESC LIMIT ${add(q.limit + 1)}`, params),
    queryOne<{ n: number }>(db, `SELECT count(*)::int AS n FROM resources r WHERE ${filtered}`, countParams),
  ]);
  return { rows: rows.map((row) => ({ ...resourceFrom(row)!, sortKey: Number(row.sortKey) })), total: total!.n };
}

// ---- Locks ------------------------------------------------------------------------------------

/**
 * Locks resource rows in id order (so two transactions never wait on each other in a circle)
 * and answers them. Every change of who holds a role on a resource takes FOR NO KEY UPDATE on
 * it, and every mutation whose rule rests on a role there reads it FOR SHARE: the two wait for
 * each other. NO KEY UPDATE does not block inserts elsewhere that only reference the row (tag
 * links, issues, jobs).
 */
export async function lockResources(tx: Queryable, ids: readonly string[], mode: 'update' | 'share' = 'update'): Promise<Resource[]> {
  const rows = await queryRows(tx, `SELECT ${resourceColumns()} FROM resources r WHERE r.id = ANY($1::uuid[]) ORDER BY r.id ${mode === 'update' ? 'FOR NO KEY UPDATE' : 'FOR SHARE'}`, [
    ids,
  ]);
  return rows.map((row) => resourceFrom(row)!);
}

/** The resources on which these groups hold roles, locked: their members' roles there are about to change. */
export async function lockResourcesOfGroups(tx: Queryable, groupIds: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT r.id FROM resources r WHERE r.id IN (SELECT resource_id FROM resource_group_roles WHERE group_id = ANY($1::uuid[])) ORDER BY r.id FOR NO KEY UPDATE`,
    [groupIds],
  );
}

/** The resources of which a person is a direct ADMIN, locked (before counting their other ADMINs). */
export async function lockResourcesAdministeredBy(tx: Queryable, workspaceId: string, userId: string): Promise<void> {
  await tx.query(
    `SELECT r.id FROM resources r JOIN resource_user_roles ur ON ur.resource_id = r.id
      WHERE ur.workspace_id = $1 AND ur.user_id = $2 AND ur.role = 'ADMIN'
      ORDER BY r.id FOR NO KEY UPDATE OF r`,
    [workspaceId, userId],
  );
}

// ---- Roles held, by people and by groups -------------------------------------------------------

/** Who holds a role on a resource: a person directly, or a group (for its members). */
export type Holder = { person: string } | { group: string };

const holding = (h: Holder) =>
  'person' in h ? { table: 'resource_user_roles', column: 'user_id', id: h.person } : { table: 'resource_group_roles', column: 'group_id', id: h.group };

/** The roles a holder has on these resources, by resource id. */
export async function rolesHeld(tx: Queryable, holder: Holder, resourceIds: readonly string[]): Promise<Map<string, ResourceRole>> {
  const { table, column, id } = holding(holder);
  const rows = await queryRows<{ resourceId: string; role: ResourceRole }>(
    tx,
    `SELECT resource_id AS "resourceId", role FROM ${table} WHERE ${column} = $1 AND resource_id = ANY($2::uuid[])`,
    [id, resourceIds],
  );
  return new Map(rows.map((r) => [r.resourceId, r.role]));
}

/** Gives a holder one role on each resource (replacing the one they had). */
export async function setRole(tx: Queryable, workspaceId: string, holder: Holder, resourceIds: readonly string[], role: ResourceRole): Promise<void> {
  const { table, column, id } = holding(holder);
  await tx.query(
    `INSERT INTO ${table} (resource_id, ${column}, workspace_id, role)
     SELECT r, $2, $3, $4 FROM unnest($1::uuid[]) AS r
     ON CONFLICT (resource_id, ${column}) DO UPDATE SET role = EXCLUDED.role`,
    [resourceIds, id, workspaceId, role],
  );
}

/** Takes a holder's role on a resource away; answers it, or undefined when there was none. */
export async function deleteRole(tx: Queryable, resourceId: string, holder: Holder): Promise<ResourceRole | undefined> {
  const { table, column, id } = holding(holder);
  const row = await queryOne<{ role: ResourceRole }>(tx, `DELETE FROM ${table} WHERE resource_id = $1 AND ${column} = $2 RETURNING role`, [resourceId, id]);
  return row?.role;
}

/** Every direct role of a person in a workspace, taken away (they are leaving it). */
export function deleteRolesOf(tx: Queryable, workspaceId: string, userId: string) {
  return queryRows<{ resourceId: string; role: ResourceRole }>(
    tx,
    `DELETE FROM resource_user_roles WHERE workspace_id = $1 AND user_id = $2 RETURNING resource_id AS "resourceId", role`,
    [workspaceId, userId],
  );
}

/** Of these (locked) resources, those left without a direct ADMIN who is INVITED or JOINED. */
export function withoutLiveAdmin(tx: Queryable, resourceIds: readonly string[]) {
  return queryRows<{ id: string; type: ResourceType; name: string }>(
    tx,
    `SELECT r.id, r.type, r.name FROM resources r
      WHERE r.id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM resource_user_roles ur JOIN memberships m ON m.workspace_id = ur.workspace_id AND m.user_id = ur.user_id
                         WHERE ur.resource_id = r.id AND ur.role = 'ADMIN' AND m.status IN ('INVITED', 'JOINED'))
      ORDER BY r.id`,
    [resourceIds],
  );
}

// ---- Grants, as lists -------------------------------------------------------------------------

/**
 * Every grant on each resource, by resource id: each direct role, and each role a group holds
 * for each of its members (managers hold none); REMOVED people left out; only the grants the
 * viewer may see (scopes.ts, seesGrant: a grant through a group they may not see is left out);
 * the first `limit` of each resource.
 */
export async function grantsOnResources(db: Queryable, ids: readonly string[], viewer: Viewer, limit: number): Promise<Map<string, ResourceMember[]>> {
  const params: unknown[] = [ids, limit];
  const visible = grantSql(viewer, { resource: 'r', viewerHolds: (me) => `x.user_id = ${me}`, via: 'g' }, new SqlParams(params));
  const rows = await queryRows(
    db,
    // Ranked on the sort key alone; only the first `limit` of each resource are read in full.
    `WITH ranked AS (
       SELECT x.resource_id, x.user_id, x.role, x.group_id,
              row_number() OVER (PARTITION BY x.resource_id ORDER BY lower(u.email), u.id, (x.group_id IS NOT NULL), lower(g.name), g.id) AS rank
         FROM (SELECT ur.resource_id, ur.user_id, ur.role, NULL::uuid AS group_id
                 FROM resource_user_roles ur WHERE ur.resource_id = ANY($1::uuid[])
               UNION ALL
               SELECT gr.resource_id, gm.user_id, gr.role, gr.group_id
                 FROM resource_group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id
                WHERE gr.resource_id = ANY($1::uuid[])) x
         JOIN resources r ON r.id = x.resource_id
         JOIN memberships m ON m.workspace_id = r.workspace_id AND m.user_id = x.user_id AND m.status <> 'REMOVED'
         JOIN users u ON u.id = x.user_id
         LEFT JOIN groups g ON g.id = x.group_id
        WHERE ${visible})
     SELECT k.resource_id AS "resourceId", k.role AS "grantRole", ${personColumns()}, ${groupColumns('g', 'g_')}
       FROM ranked k
       JOIN resources r ON r.id = k.resource_id
       JOIN ${PERSON_FROM} ON m.workspace_id = r.workspace_id AND m.user_id = k.user_id
       LEFT JOIN groups g ON g.id = k.group_id
      WHERE k.rank <= $2
      ORDER BY k.resource_id, k.rank`,
    params,
  );
  const out = new Map<string, ResourceMember[]>(ids.map((id) => [id, []]));
  for (const row of rows) out.get(row.resourceId)?.push({ user: personFrom(row)!, role: row.grantRole, via: groupFrom(row, 'g_') });
  return out;
}

/**
 * People's grants by {workspaceId, userId}: direct roles and roles through the groups they are a
 * member of, those the viewer may see (scopes.ts, seesGrant), on resources of `type` (any when
 * null); the first `limit` of each person (in list order).
 * A page of people holds thousands of grants on a few hundred resources and groups: the
 * statement ranks those resources (in list order) and groups (by name) and answers one row per
 * person, their grants as [resource rank, role, group rank or 0], sorted, and two rows more
 * (n = 0 and n = -1) with the ids of the resources and of the groups in rank order. Each
 * resource and group is then read once by its loader and shared by its grants.
 */
export async function grantsOfPeople(
  db: Queryable,
  keys: ReadonlyArray<{ workspaceId: string; userId: string }>,
  viewer: Viewer,
  only: { type: ResourceType | null; limit: number },
): Promise<Array<{ n: number; list: unknown[] }>> {
  const params: unknown[] = [keys.map((k) => k.workspaceId), keys.map((k) => k.userId), only.type, only.limit];
  const visible = grantSql(viewer, { resource: 'r', viewerHolds: (me) => `x.user_id = ${me}`, via: 'g' }, new SqlParams(params));
  return queryRows<{ n: number; list: unknown[] }>(
    db,
    `WITH k AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS k(workspace_id, user_id, n)),
     all_grants AS (
       SELECT k.n, k.user_id, ur.resource_id, ur.role, NULL::uuid AS group_id
         FROM k JOIN resource_user_roles ur ON ur.workspace_id = k.workspace_id AND ur.user_id = k.user_id
       UNION ALL
       SELECT k.n, k.user_id, gr.resource_id, gr.role, gr.group_id
         FROM k JOIN groups g ON g.workspace_id = k.workspace_id
         JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = k.user_id
         JOIN resource_group_roles gr ON gr.group_id = g.id),
     grants AS (
       SELECT * FROM (
         SELECT x.*, row_number() OVER (PARTITION BY x.n ORDER BY r.type, r.created_at, r.id, (x.group_id IS NOT NULL), lower(g.name), g.id) AS k
           FROM all_grants x JOIN resources r ON r.id = x.resource_id LEFT JOIN groups g ON g.id = x.group_id
          WHERE ${visible} AND ($3::text IS NULL OR r.type = $3::text)) v
        WHERE k <= $4),
     resource_rank AS (
       SELECT r.id, row_number() OVER (ORDER BY r.type, r.created_at, r.id) AS rank
         FROM resources r WHERE r.id IN (SELECT resource_id FROM grants)),
     group_rank AS (
       SELECT g.id, row_number() OVER (ORDER BY lower(g.name), g.id) AS rank
         FROM groups g WHERE g.id IN (SELECT group_id FROM grants))
     SELECT 0 AS n, json_agg(id ORDER BY rank) AS list FROM resource_rank
     UNION ALL
     SELECT -1, json_agg(id ORDER BY rank) FROM group_rank
     UNION ALL
     SELECT grants.n::int, json_agg(json_build_array(rr.rank, grants.role, coalesce(gr.rank, 0)) ORDER BY rr.rank, gr.rank NULLS FIRST)
       FROM grants
       JOIN resource_rank rr ON rr.id = grants.resource_id
       LEFT JOIN group_rank gr ON gr.id = grants.group_id
      GROUP BY grants.n`,
    params,
  );
}

/**
 * The roles each group holds, by group id, those the viewer may see (seesGrant: its members
 * hold them, so a viewer who is a member sees their own roles); the first `limit` of each.
 */
export async function rolesOfGroups(
  db: Queryable,
  ids: readonly string[],
  viewer: Viewer,
  limit: number,
): Promise<Map<string, Array<{ resource: Resource; role: ResourceRole }>>> {
  const params: unknown[] = [ids, limit];
  const visible = grantSql(
    viewer,
    { resource: 'r', viewerHolds: (me) => `EXISTS (SELECT 1 FROM group_members hm WHERE hm.group_id = gr.group_id AND hm.user_id = ${me})`, via: null },
    new SqlParams(params),
  );
  const rows = await queryRows(
    db,
    `SELECT * FROM (
       SELECT gr.group_id AS "groupId", gr.role AS "grantRole", ${resourceColumns('r', 'r_')},
              row_number() OVER (PARTITION BY gr.group_id ORDER BY r.type, r.created_at, r.id) AS "rank"
         FROM resource_group_roles gr JOIN resources r ON r.id = gr.resource_id
        WHERE gr.group_id = ANY($1::uuid[]) AND ${visible}) ranked
      WHERE "rank" <= $2
      ORDER BY "groupId", "rank"`,
    params,
  );
  const out = new Map<string, Array<{ resource: Resource; role: ResourceRole }>>(ids.map((id) => [id, []]));
  for (const row of rows) out.get(row.groupId)?.push({ resource: resourceFrom(row, 'r_')!, role: row.grantRole });
  return out;
}

export type { ResourceAssignment };

// ---- Caps (server/limits/caps.ts) -------------------------------------------------------------

/** Of these people, those holding more than `max` roles in the workspace: direct ones, and one per role of each group they are a member of. */
export async function peopleWithMoreRolesThan(tx: Queryable, workspaceId: string, userIds: readonly string[], max: number): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await queryRows<{ userId: string }>(
    tx,
    `SELECT p.user_id AS "userId" FROM unnest($2::uuid[]) AS p(user_id)
      WHERE (SELECT count(*) FROM resource_user_roles ur WHERE ur.workspace_id = $1 AND ur.user_id = p.user_id)
          + (SELECT count(*) FROM group_members gm JOIN groups g ON g.id = gm.group_id AND g.workspace_id = $1
               JOIN resource_group_roles gr ON gr.group_id = gm.group_id WHERE gm.user_id = p.user_id) > $3`,
    [workspaceId, userIds, max],
  );
  return rows.map((r) => r.userId);
}

/** Of these resources, those with more than `max` members: direct roles, and each member of each group holding a role there. */
export async function resourcesWithMoreMembersThan(tx: Queryable, resourceIds: readonly string[], max: number): Promise<string[]> {
  if (resourceIds.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    tx,
    `SELECT r.id FROM unnest($1::uuid[]) AS r(id)
      WHERE (SELECT count(*) FROM resource_user_roles ur WHERE ur.resource_id = r.id)
          + (SELECT count(*) FROM resource_group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id WHERE gr.resource_id = r.id) > $2`,
    [resourceIds, max],
  );
  return rows.map((r) => r.id);
}

/** The resources a group holds roles on. */
export async function resourcesOfGroup(tx: Queryable, groupId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(tx, `SELECT resource_id AS id FROM resource_group_roles WHERE group_id = $1`, [groupId]);
  return rows.map((r) => r.id);
}
