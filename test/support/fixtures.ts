import { randomUUID } from 'node:crypto';
import type { TestServer } from './harness';

export type Role = 'ADMIN' | 'MEMBER' | 'WORKFORCE_MANAGER' | 'TASKER';
export type Status = 'INVITED' | 'DECLINED' | 'JOINED';

export interface Person {
  id: string;
  email: string;
  token: string;
}

/** Signs a person in through the API (the account is made on first use) and returns their id and token. */
export async function signIn(server: TestServer, email: string, name?: string): Promise<Person> {
  const token = await server.token(email, name);
  const res = await server.gql(`{ viewer { id } }`, {}, token);
  if (!res.data) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.viewer.id, email, token };
}

/** A workspace made through the API by a new ADMIN. */
export async function createWorkspace(server: TestServer, name = 'Acme', adminEmail = `admin-${randomUUID().slice(0, 8)}@acme.test`) {
  const admin = await signIn(server, adminEmail);
  const res = await server.gql(`mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, { input: { name } }, admin.token);
  if (!res.data) throw new Error(`createWorkspace failed: ${JSON.stringify(res.errors)}`);
  return { workspaceId: res.data.createWorkspace.id as string, admin };
}

/**
 * Puts a person in a workspace with a role and status, straight in the database: a fast setup
 * for tests whose subject is something else (invitations have tests of their own).
 */
export async function addMember(server: TestServer, workspaceId: string, role: Role, status: Status = 'JOINED', email?: string): Promise<Person> {
  const person = await signIn(server, email ?? `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@acme.test`);
  await server.db.query(
    `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at, declined_at)
     VALUES ($1, $2, $3, $4, now(), CASE WHEN $4 = 'JOINED' THEN now() END, CASE WHEN $4 = 'DECLINED' THEN now() END)`,
    [workspaceId, person.id, role, status],
  );
  return person;
}

/** Row count of a table, to prove that a failed mutation wrote nothing. */
export async function countRows(server: TestServer, table: string): Promise<number> {
  const [row] = await server.db.query(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}
