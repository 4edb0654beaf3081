import type { Viewer } from '../../authorization/conditions';
import { SqlParams } from '../../authorization/conditions';
import { visibleSql, type Visibility } from '../../authorization/lists';
import { scopes, scopeSql } from '../../authorization/scopes';
import { columnsOf, unprefix } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import { PERSON_FROM, personColumns, personFrom } from '../users/users.data';
import type { WorkspaceUser } from '../users/workspace-user.types';
import { GroupEntity } from './group.entity';
import type { Group } from './group.types';

/** The SQL of the groups module: groups, their members and managers; the locks their changes take. */

const GROUP_KEYS = ['id', 'workspaceId', 'name', 'description', 'createdAt', 'createdBy'] as const;

/** A group's columns from `groups <alias>`, each name prefixed. */
export function groupColumns(alias = 'g', prefix = ''): string {
  return columnsOf(GroupEntity, alias, { prefix, only: GROUP_KEYS });
}

/** The group in a row read with `groupColumns(alias, prefix)`; null for an outer join that found none. */
export function groupFrom(row: Record<string, any>, prefix = ''): Group | null {
  return unprefix<Group>(row, prefix, GROUP_KEYS);
}

export async function groupsByIds(db: Queryable, ids: readonly string[]): Promise<Group[]> {
  const rows = await queryRows(db, `SELECT ${groupColumns()} FROM groups g WHERE g.id = ANY($1::uuid[])`, [ids]);
  return rows.map((row) => groupFrom(row)!);
}

/** The first `limit` groups of a workspace the list holds (scopes.group), by name. */
export async function listGroups(db: Queryable, workspaceId: string, visible: Visibility<'group'>, limit: number): Promise<Group[]> {
  const params: unknown[] = [workspaceId, limit];
  const rows = await queryRows(
    db,
    `SELECT ${groupColumns()} FROM groups g WHERE g.workspace_id = $1 AND ${visibleSql(visible, 'g', params)} ORDER BY g.name_key, g.id LIMIT $2`,
    params,
  );
  return rows.map((row) => groupFrom(row)!);
}

/**
 * The people (not REMOVED) of each group's members or managers, by group id, by email; those
 * `visible` (scopes.person) holds; the first `limit` of each group.
 */
export async function peopleOfGroups(
  db: Queryable,
  table: 'group_members' | 'group_managers',
  groupIds: readonly string[],
  visible: Visibility<'person'>,
  limit: number,
): Promise<Map<string, WorkspaceUser[]>> {
  const params: unknown[] = [groupIds, limit];
  const rows = await queryRows(
    db,
    `SELECT * FROM (
       SELECT x.group_id AS "groupId", ${personColumns()},
              row_number() OVER (PARTITION BY x.group_id ORDER BY lower(u.email), u.id) AS "rank"
         FROM ${table} x
         JOIN groups g ON g.id = x.group_id
         JOIN ${PERSON_FROM} ON m.workspace_id = g.workspace_id AND m.user_id = x.user_id
        WHERE x.group_id = ANY($1::uuid[]) AND m.status <> 'REMOVED' AND ${visibleSql(visible, { userId: 'x.user_id' }, params)}) ranked
      WHERE "rank" <= $2
      ORDER BY "groupId", "rank"`,
    params,
  );
  const out = new Map<string, WorkspaceUser[]>(groupIds.map((id) => [id, []]));
  for (const row of rows) out.get(row.groupId)?.push(personFrom(row)!);
  return out;
}

/** A person's relation to a group of their workspace. */
export interface GroupTie {
  group: Group;
  member: boolean;
  manager: boolean;
}

/**
 * The groups each person belongs to or manages, by {workspaceId, userId}, by name, as the
 * viewer may know them (scopes.ts, seesGroupTie): the groups they belong to that the viewer
 * sees, and the groups they manage whose managers the viewer may see.
 */
export async function groupTiesOfPeople(
  db: Queryable,
  keys: ReadonlyArray<{ workspaceId: string; userId: string }>,
  viewer: Viewer,
): Promise<Array<GroupTie & { userId: string }>> {
  const params: unknown[] = [keys.map((k) => k.workspaceId), keys.map((k) => k.userId)];
  const p = new SqlParams(params);
  const seesGroup = scopeSql(scopes.group, viewer, 'g', p);
  const seesManagers = scopeSql(scopes.groupManagers, viewer, 'g', p);
  const rows = await queryRows(
    db,
    `WITH k(workspace_id, user_id) AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]))
     SELECT x.user_id AS "userId", ${groupColumns('g', 'g_')}, bool_or(x.member) AS member, bool_or(NOT x.member) AS manager
       FROM (SELECT group_id, user_id, true AS member FROM group_members WHERE user_id = ANY($2::uuid[])
             UNION ALL
             SELECT group_id, user_id, false FROM group_managers WHERE user_id = ANY($2::uuid[])) x
       JOIN groups g ON g.id = x.group_id
       JOIN k ON k.user_id = x.user_id AND k.workspace_id = g.workspace_id
      WHERE ${seesGroup} AND (x.member OR ${seesManagers})
      GROUP BY x.user_id, g.id
      ORDER BY g.name_key, g.id`,
    params,
  );
  return rows.map((row) => ({ userId: row.userId, group: groupFrom(row, 'g_')!, member: row.member, manager: row.manager }));
}

/** The groups a person manages in a workspace: [{ id, name }]. */
export function groupsManagedBy(tx: Queryable, workspaceId: string, userId: string) {
  return queryRows<{ id: string; name: string }>(
    tx,
    `SELECT g.id, g.name FROM group_managers x JOIN groups g ON g.id = x.group_id WHERE g.workspace_id = $1 AND x.user_id = $2 ORDER BY g.name_key, g.id`,
    [workspaceId, userId],
  );
}

/** Group managers whose email's domain is not among these domains (they would no longer be internal). */
export function managersOutside(tx: Queryable, workspaceId: string, domains: readonly string[]) {
  return queryRows<{ email: string }>(
    tx,
    `SELECT DISTINCT u.email FROM group_managers gm JOIN groups g ON g.id = gm.group_id JOIN users u ON u.id = gm.user_id
      WHERE g.workspace_id = $1 AND NOT (split_part(lower(u.email), '@', 2) = ANY($2::text[]))
      ORDER BY u.email`,
    [workspaceId, domains],
  );
}

// ---- Locks ------------------------------------------------------------------------------------

/** The group's row, locked against a concurrent delete or change; undefined when it is gone. */
export async function lockGroup(tx: Queryable, groupId: string): Promise<Group | undefined> {
  const row = await queryOne(tx, `SELECT ${groupColumns()} FROM groups g WHERE g.id = $1 FOR NO KEY UPDATE`, [groupId]);
  return row ? groupFrom(row)! : undefined;
}

/**
 * Holds a group still while roles are given to it or taken from it: FOR SHARE, the lock the
 * rule's re-check reads it with (whether the viewer sees it), taken before the resources so that
 * the re-check never waits for it while holding them.
 */
export async function lockGroupForAssignment(tx: Queryable, groupId: string): Promise<void> {
  await tx.query(`SELECT 1 FROM groups WHERE id = $1 FOR SHARE`, [groupId]);
}

/** The workspace's internal domains, held still while managers are checked against them. */
export async function internalDomains(tx: Queryable, workspaceId: string): Promise<string[]> {
  const row = await queryOne<{ domains: string[] }>(tx, `SELECT internal_domains AS domains FROM workspaces WHERE id = $1 FOR SHARE`, [workspaceId]);
  return row?.domains ?? [];
}

// ---- Changes ----------------------------------------------------------------------------------

export async function insertGroup(
  tx: Queryable,
  g: { id: string; workspaceId: string; name: string; nameKey: string; description: string | null; createdBy: string },
): Promise<Group> {
  const row = await queryOne(
    tx,
    `INSERT INTO groups AS g (id, workspace_id, name, name_key, description, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${groupColumns()}`,
    [g.id, g.workspaceId, g.name, g.nameKey, g.description, g.createdBy],
  );
  return groupFrom(row!)!;
}

/** A new name (with its key) and/or description; a description of null clears it when `setDescription`. */
export async function updateGroupRow(
  tx: Queryable,
  id: string,
  change: { name: string | null; nameKey: string | null; setDescription: boolean; description: string | null },
): Promise<Group> {
  const row = await queryOne(
    tx,
    `UPDATE groups AS g SET name = COALESCE($2, g.name), name_key = COALESCE($3, g.name_key),
            description = CASE WHEN $4::boolean THEN $5 ELSE g.description END
      WHERE g.id = $1 RETURNING ${groupColumns()}`,
    [id, change.name, change.nameKey, change.setDescription, change.description],
  );
  return groupFrom(row!)!;
}

/** Deletes a group (its members, managers and roles go with it); answers how many there were of each. */
export async function deleteGroupRow(tx: Queryable, id: string): Promise<{ members: number; managers: number; assignments: number }> {
  const counts = await queryOne(
    tx,
    `SELECT (SELECT count(*) FROM group_members WHERE group_id = $1)::int AS members,
            (SELECT count(*) FROM group_managers WHERE group_id = $1)::int AS managers,
            (SELECT count(*) FROM resource_group_roles WHERE group_id = $1)::int AS assignments`,
    [id],
  );
  await tx.query(`DELETE FROM groups WHERE id = $1`, [id]);
  return counts;
}

/** Puts people in a group's members or managers; answers those who were not in already. */
export async function addPeople(tx: Queryable, table: 'group_members' | 'group_managers', groupId: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await queryRows<{ userId: string }>(
    tx,
    `INSERT INTO ${table} (group_id, user_id) SELECT $1, id FROM unnest($2::uuid[]) AS id ON CONFLICT DO NOTHING RETURNING user_id AS "userId"`,
    [groupId, userIds],
  );
  return rows.map((r) => r.userId);
}

/** Takes people out of a group's members or managers; answers those who were in. */
export async function removePeople(tx: Queryable, table: 'group_members' | 'group_managers', groupId: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await queryRows<{ userId: string }>(tx, `DELETE FROM ${table} WHERE group_id = $1 AND user_id = ANY($2::uuid[]) RETURNING user_id AS "userId"`, [
    groupId,
    userIds,
  ]);
  return rows.map((r) => r.userId);
}

/** A person leaves every group of a workspace, as member and as manager (they are leaving it). */
export async function leaveGroups(tx: Queryable, workspaceId: string, userId: string): Promise<{ memberOf: string[]; managerOf: string[] }> {
  const left = (table: string) =>
    queryRows<{ groupId: string }>(
      tx,
      `DELETE FROM ${table} x USING groups g WHERE g.id = x.group_id AND g.workspace_id = $1 AND x.user_id = $2 RETURNING x.group_id AS "groupId"`,
      [workspaceId, userId],
    );
  const [memberOf, managerOf] = [await left('group_members'), await left('group_managers')];
  return { memberOf: memberOf.map((g) => g.groupId), managerOf: managerOf.map((g) => g.groupId) };
}

// ---- Caps (server/limits/caps.ts) -------------------------------------------------------------

/** How many groups a workspace has. */
export async function groupCount(tx: Queryable, workspaceId: string): Promise<number> {
  return (await queryOne<{ n: number }>(tx, `SELECT count(*)::int AS n FROM groups WHERE workspace_id = $1`, [workspaceId]))!.n;
}

/** How many members and managers a group has. */
export async function groupSize(tx: Queryable, groupId: string): Promise<{ members: number; managers: number }> {
  return (await queryOne(
    tx,
    `SELECT (SELECT count(*) FROM group_members WHERE group_id = $1)::int AS members, (SELECT count(*) FROM group_managers WHERE group_id = $1)::int AS managers`,
    [groupId],
  ))!;
}

/** Of these people, those who belong to or manage more than `max` groups of the workspace. */
export async function peopleInMoreGroupsThan(tx: Queryable, workspaceId: string, userIds: readonly string[], max: number): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await queryRows<{ userId: string }>(
    tx,
    `SELECT x.user_id AS "userId"
       FROM (SELECT group_id, user_id FROM group_members WHERE user_id = ANY($2::uuid[])
             UNION SELECT group_id, user_id FROM group_managers WHERE user_id = ANY($2::uuid[])) x
       JOIN groups g ON g.id = x.group_id AND g.workspace_id = $1
      GROUP BY x.user_id HAVING count(*) > $3`,
    [workspaceId, userIds, max],
  );
  return rows.map((r) => r.userId);
}

/** The members of a group (ids). */
export async function membersOfGroup(tx: Queryable, groupId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(tx, `SELECT user_id AS id FROM group_members WHERE group_id = $1`, [groupId]);
  return rows.map((r) => r.id);
}
