import { randomUUID } from 'node:crypto';
import { addMember, type Person, type Role } from '../support/fixtures';
import type { TestServer } from '../support/harness';
import { BACKGROUND_STATEMENTS } from '../support/query-counter';

/** Who acts: a JOINED person of each role, or an INVITED / DECLINED one (made an ADMIN, the strongest case). */
export type ActorKind = Role | 'INVITED' | 'DECLINED';
export const ACTOR_KINDS: ActorKind[] = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER', 'INVITED', 'DECLINED'];
export const ROLES: Role[] = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'];

export function actorIn(server: TestServer, workspaceId: string, kind: ActorKind): Promise<Person> {
  return kind === 'INVITED' || kind === 'DECLINED' ? addMember(server, workspaceId, 'ADMIN', kind) : addMember(server, workspaceId, kind);
}

export const uniqueEmail = (prefix = 'new') => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

export const USER_FIELDS = `id email name role status invitedAt declinedAt joinedAt internal`;
export const INVITE = `mutation($input: InviteUsersInput!) { inviteUsers(input: $input) { ${USER_FIELDS} } }`;
export const ACCEPT = `mutation($w: ID!) { acceptInvitation(workspaceId: $w) { ${USER_FIELDS} } }`;
export const DECLINE = `mutation($w: ID!) { declineInvitation(workspaceId: $w) { ${USER_FIELDS} } }`;
export const REMOVE = `mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId reassigned { __typename id type name } } }`;
export const CHANGE_ROLE = `mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { ${USER_FIELDS} } }`;
export const USERS = `query($w: ID!, $filter: UserFilter, $first: Int, $after: String) {
  workspace(id: $w) { users(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${USER_FIELDS} } } } }`;
export const USER = `query($w: ID!, $id: ID!) { workspace(id: $w) { user(id: $id) { ${USER_FIELDS} } } }`;

export interface MembershipRow {
  role: string;
  status: string;
  invited_at: Date;
  declined_at: Date | null;
  joined_at: Date | null;
  removed_at: Date | null;
}

export async function membershipOf(server: TestServer, workspaceId: string, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await server.db.query(
    `SELECT role, status, invited_at, declined_at, joined_at, removed_at FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
    [workspaceId, userId],
  );
  return row;
}

export async function counts(server: TestServer, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = row.n;
  }
  return out;
}

/** A resource made straight in the database, with `adminId` as its direct ADMIN (the resources module has its own tests). */
export async function resourceWithAdmin(server: TestServer, workspaceId: string, type: 'PROJECT' | 'DATASET' | 'ONTOLOGY', name: string, adminIds: string[]) {
  const id = randomUUID();
  await server.db.query(`INSERT INTO resources (id, workspace_id, type, name, created_by) VALUES ($1, $2, $3, $4, $5)`, [id, workspaceId, type, name, adminIds[0] ?? null]);
  for (const userId of adminIds) {
    await server.db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [id, userId, workspaceId]);
  }
  return id;
}

/**
 * The SQL statements `run` sends through the service's DataSource (its TypeORM query logger
 * sees every one), leaving out the background work of the mail outbox and the job feed.
 */
export async function statementsOf(server: TestServer, run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const logger = server.db.logger;
  const original = logger.logQuery;
  logger.logQuery = function (query: string, ...rest: any[]) {
    // The service's background work (mail, the feed, sweeps and polls marked /* background */) is not the request's.
    if (!BACKGROUND_STATEMENTS.test(query) && !/^\s*(LISTEN|NOTIFY|UNLISTEN)\b/i.test(query)) seen.push(query);
    return original.call(this, query, ...rest);
  };
  try {
    await run();
  } finally {
    logger.logQuery = original;
  }
  return seen;
}
