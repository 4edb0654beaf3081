import { randomUUID } from 'node:crypto';
import type { Person } from '../support/fixtures';
import { errorCode, type GqlResult, type TestServer } from '../support/harness';

export type ResourceType = 'PROJECT' | 'DATASET' | 'ONTOLOGY';
export type ResourceRole = 'ADMIN' | 'TEAM_MANAGER' | 'REVIEWER' | 'ANNOTATOR' | 'ANNOTATOR_REVIEWER' | 'USER';
export const TYPE_NAME = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' } as const;
export const LIST_FIELD = { PROJECT: 'projects', DATASET: 'datasets', ONTOLOGY: 'ontologies' } as const;
export const ONE_FIELD = { PROJECT: 'project', DATASET: 'dataset', ONTOLOGY: 'ontology' } as const;

export const ASSIGN_USER = `mutation($input: AssignUserInput!) { assignUser(input: $input) { resource { id type name } role via { id } } }`;
export const UNASSIGN_USER = `mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`;
export const CREATE_GROUP = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id name description createdAt } }`;
export const ASSIGN_GROUP = `mutation($input: AssignGroupInput!) { assignGroup(input: $input) { resource { id type } role } }`;
export const UNASSIGN_GROUP = `mutation($input: UnassignGroupInput!) { unassignGroup(input: $input) }`;

/** Fails the test with the errors when a result has any. */
export function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors || !res.data) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** Makes a resource through the API; `person` becomes its ADMIN. */
export async function createResource(server: TestServer, person: Person, workspaceId: string, type: ResourceType = 'PROJECT', name?: string): Promise<string> {
  const field = `create${TYPE_NAME[type]}`;
  const res = await server.gql(`mutation($input: CreateResourceInput!) { ${field}(input: $input) { id } }`, {
    input: { workspaceId, name: name ?? `${TYPE_NAME[type]} ${randomUUID().slice(0, 6)}` },
  }, person.token);
  return ok(res)[field].id;
}

export function assignUser(
  server: TestServer,
  actor: Person,
  input: { workspaceId: string; userId: string; resourceType?: ResourceType; resourceIds: string[]; role: ResourceRole },
): Promise<GqlResult> {
  return server.gql(ASSIGN_USER, { input: { resourceType: 'PROJECT', ...input } }, actor.token);
}

export function unassignUser(
  server: TestServer,
  actor: Person,
  input: { workspaceId: string; userId: string; resourceType?: ResourceType; resourceId: string },
): Promise<GqlResult> {
  return server.gql(UNASSIGN_USER, { input: { resourceType: 'PROJECT', ...input } }, actor.token);
}

/** Makes a group through the API and answers its id. */
export async function createGroup(
  server: TestServer,
  actor: Person,
  workspaceId: string,
  people: { memberIds?: string[]; managerIds?: string[]; name?: string } = {},
): Promise<string> {
  const res = await server.gql(CREATE_GROUP, {
    input: { workspaceId, name: people.name ?? `Group ${randomUUID().slice(0, 8)}`, memberIds: people.memberIds, managerIds: people.managerIds },
  }, actor.token);
  return ok(res).createGroup.id;
}

export function assignGroup(
  server: TestServer,
  actor: Person,
  input: { groupId: string; resourceType?: ResourceType; resourceIds: string[]; role: ResourceRole },
): Promise<GqlResult> {
  return server.gql(ASSIGN_GROUP, { input: { resourceType: 'PROJECT', ...input } }, actor.token);
}

/** The ids of the resources of a type that `person` sees in the workspace's list (first 100). */
export async function visibleIds(server: TestServer, person: Person, workspaceId: string, type: ResourceType = 'PROJECT'): Promise<string[]> {
  const field = LIST_FIELD[type];
  const res = await server.gql(`query($ws: ID!) { workspace(id: $ws) { ${field}(first: 100) { nodes { id } totalCount } } }`, { ws: workspaceId }, person.token);
  const list = ok(res).workspace[field];
  if (list.totalCount !== list.nodes.length) throw new Error('more than one page');
  return list.nodes.map((n: { id: string }) => n.id).sort();
}

/** A resource's fields through Workspace.<type>(id), as `person` sees them. */
export function readResource(server: TestServer, person: Person, workspaceId: string, id: string, selection: string, type: ResourceType = 'PROJECT'): Promise<GqlResult> {
  return server.gql(`query($ws: ID!, $id: ID!) { workspace(id: $ws) { ${ONE_FIELD[type]}(id: $id) { id ${selection} } } }`, { ws: workspaceId, id }, person.token);
}

/** Row counts of several tables, to prove that a failed mutation wrote nothing. */
export async function counts(server: TestServer, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = row.n;
  }
  return out;
}

export const ROLE_TABLES = ['resource_user_roles', 'resource_group_roles', 'audit_log'];
export const GROUP_TABLES = ['groups', 'group_members', 'group_managers', 'resource_group_roles', 'audit_log'];

export { errorCode };
