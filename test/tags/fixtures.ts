import { randomUUID } from 'node:crypto';
import type { Person } from '../support/fixtures';
import type { GqlResult, TestServer } from '../support/harness';

export type ProjectRole = 'ADMIN' | 'TEAM_MANAGER' | 'REVIEWER' | 'ANNOTATOR' | 'ANNOTATOR_REVIEWER';
export const PROJECT_ROLES: ProjectRole[] = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'];

/** Runs a mutation and answers its data (fails loudly otherwise). */
async function must(server: TestServer, person: Person, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await server.gql(query, variables, person.token);
  if (!res.data || res.errors) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A project made through the API by `creator`, who becomes its ADMIN. */
export async function createProject(server: TestServer, workspaceId: string, creator: Person, name = `Project ${randomUUID().slice(0, 6)}`): Promise<string> {
  const data = await must(server, creator, `mutation($input: CreateResourceInput!) { createProject(input: $input) { id } }`, { input: { workspaceId, name } });
  return data.createProject.id;
}

/** A direct role on a project, given through the API by `actor` (a workspace ADMIN). */
export async function giveRole(server: TestServer, actor: Person, workspaceId: string, projectId: string, person: Person, role: ProjectRole): Promise<void> {
  await must(server, actor, `mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, {
    input: { workspaceId, userId: person.id, resourceType: 'PROJECT', resourceIds: [projectId], role },
  });
}

/** A role on a project through a new group that `person` is a member of, made through the API by `actor` (a workspace ADMIN). */
export async function giveGroupRole(server: TestServer, actor: Person, workspaceId: string, projectId: string, person: Person, role: ProjectRole): Promise<void> {
  const data = await must(server, actor, `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, {
    input: { workspaceId, name: `Group ${randomUUID().slice(0, 8)}`, memberIds: [person.id] },
  });
  await must(server, actor, `mutation($input: AssignGroupInput!) { assignGroup(input: $input) { role } }`, {
    input: { groupId: data.createGroup.id, resourceType: 'PROJECT', resourceIds: [projectId], role },
  });
}

/** Reads fields of a project through Workspace.project, as `person` sees it. */
export function readProject(server: TestServer, person: Person, workspaceId: string, projectId: string, selection: string): Promise<GqlResult> {
  return server.gql(`query($ws: ID!, $id: ID!) { workspace(id: $ws) { project(id: $id) { id ${selection} } } }`, { ws: workspaceId, id: projectId }, person.token);
}

export const CREATE_PROJECT_TAG = `mutation($input: CreateTagInput!) { createProjectTag(input: $input) { id name } }`;
export const CREATE_ISSUE_TAG = `mutation($input: CreateIssueTagInput!) { createIssueTag(input: $input) { id name project { id } } }`;
export const CREATE_ISSUE = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { id title status createdAt tags { id name } } }`;

/** Makes a tag through the API and answers its id (fails loudly otherwise). */
export async function projectTag(server: TestServer, admin: Person, workspaceId: string, name: string): Promise<string> {
  const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name } }, admin.token);
  if (!res.data) throw new Error(`createProjectTag failed: ${JSON.stringify(res.errors)}`);
  return res.data.createProjectTag.id;
}

export async function issueTag(server: TestServer, person: Person, workspaceId: string, name: string, projectId?: string): Promise<string> {
  const res = await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name, projectId } }, person.token);
  if (!res.data) throw new Error(`createIssueTag failed: ${JSON.stringify(res.errors)}`);
  return res.data.createIssueTag.id;
}

export async function issue(server: TestServer, person: Person, projectId: string, title: string, tagIds: string[] = []): Promise<string> {
  const res = await server.gql(CREATE_ISSUE, { input: { projectId, title, tagIds } }, person.token);
  if (!res.data) throw new Error(`createIssue failed: ${JSON.stringify(res.errors)}`);
  return res.data.createIssue.id;
}

/** Row counts of several tables, to prove that a failed mutation wrote nothing. */
export async function counts(server: TestServer, ...tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = row.n;
  }
  return out;
}

/** Audit entries of one action in a workspace, oldest first. */
export async function auditOf(server: TestServer, workspaceId: string, action: string): Promise<Array<{ actorId: string; targetId: string; details: any }>> {
  return server.db.query(
    `SELECT actor_id AS "actorId", target_id AS "targetId", details FROM audit_log WHERE workspace_id = $1 AND action = $2 ORDER BY id`,
    [workspaceId, action],
  );
}
