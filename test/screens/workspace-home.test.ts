import { randomUUID } from 'node:crypto';
import { assignUser, createGroup, createResource, ok } from '../resources/fixtures';
import { addMember, createWorkspace, type Person, type Role } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/**
 * One query every role sends as it is: lists hold what the viewer sees, never an error, and each
 * object carries viewerCan. What a flag says, the operation does: the UI picks its tabs and
 * buttons from the answer instead of rebuilding the rules from roles.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const HOME = operation('workspace-home', 'WorkspaceHome');
const ROLES: Role[] = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'];

/** Whether an operation went through (true), was refused as not permitted (false), or failed otherwise (throws). */
function permitted(res: GqlResult): boolean {
  const code = res.errors?.[0]?.extensions?.code;
  if (code === undefined) return true;
  if (code === 'FORBIDDEN') return false;
  throw new Error(`unexpected ${code}: ${res.errors![0]!.message}`);
}

async function homeWorkspace() {
  const { workspaceId, admin } = await createWorkspace(server, 'Home', `boss-${randomUUID().slice(0, 6)}@acme.test`);
  await server.db.query(`UPDATE workspaces SET internal_domains = ARRAY['acme.test'] WHERE id = $1`, [workspaceId]);
  const people: Record<Role, Person> = {
    ADMIN: admin,
    MEMBER: await addMember(server, workspaceId, 'MEMBER'),
    WORKFORCE_MANAGER: await addMember(server, workspaceId, 'WORKFORCE_MANAGER'),
    TASKER: await addMember(server, workspaceId, 'TASKER'),
  };
  const project = await createResource(server, admin, workspaceId, 'PROJECT', 'Home project');
  const dataset = await createResource(server, admin, workspaceId, 'DATASET', 'Home dataset');
  ok(await assignUser(server, admin, { workspaceId, userId: people.MEMBER.id, resourceIds: [project], role: 'TEAM_MANAGER' }));
  ok(await assignUser(server, admin, { workspaceId, userId: people.TASKER.id, resourceIds: [project], role: 'ANNOTATOR' }));
  ok(await assignUser(server, admin, { workspaceId, userId: people.WORKFORCE_MANAGER.id, resourceType: 'DATASET', resourceIds: [dataset], role: 'USER' }));
  await createGroup(server, admin, workspaceId, { name: 'Annotators', memberIds: [people.TASKER.id], managerIds: [people.MEMBER.id] });
  await createGroup(server, admin, workspaceId, { name: 'Others', memberIds: [people.WORKFORCE_MANAGER.id] });
  return { workspaceId, people };
}

it.each(ROLES)('the %s gets the whole screen in one request, without an error', async (role) => {
  const w = await homeWorkspace();
  const ui = screenClient(server, w.people[role]);
  const home = await ui.send(HOME, { workspaceId: w.workspaceId });
  expect(home.errors).toBeUndefined();
  expect(ui.requests).toBe(1);
  expect(home.data.workspace.viewerRole).toBe(role);
  const projects = home.data.workspace.projects.nodes.map((p: any) => p.name);
  const groups = home.data.workspace.groups.map((g: any) => g.name).sort();
  const expected: Record<Role, { projects: string[]; groups: string[] }> = {
    ADMIN: { projects: ['Home project'], groups: ['Annotators', 'Others'] },
    MEMBER: { projects: ['Home project'], groups: ['Annotators'] },
    WORKFORCE_MANAGER: { projects: [], groups: ['Annotators', 'Others'] },
    TASKER: { projects: ['Home project'], groups: ['Annotators'] },
  };
  expect({ projects, groups }).toEqual(expected[role]);
});

it.each(ROLES)("every flag the %s is shown is what the operation then does", async (role) => {
  const w = await homeWorkspace();
  const viewer = w.people[role];
  const home = ok(await screenClient(server, viewer).send(HOME, { workspaceId: w.workspaceId }));
  const can = home.workspace.viewerCan;
  const as = (query: string, variables: Record<string, unknown> = {}) => server.gql(query, { workspaceId: w.workspaceId, ...variables }, viewer.token);
  const tag = randomUUID().slice(0, 6);

  expect(permitted(await as(`query($workspaceId: ID!) { workspace(id: $workspaceId) { users(first: 1) { totalCount } } }`))).toBe(can.seeMembers);
  expect(permitted(await as(`query($workspaceId: ID!) { workspace(id: $workspaceId) { auditLog(first: 1) { totalCount } } }`))).toBe(can.seeAuditLog);
  expect(permitted(await as(`mutation($workspaceId: ID!, $name: String!) { createGroup(input: { workspaceId: $workspaceId, name: $name }) { id } }`, { name: `G ${tag}` }))).toBe(can.createGroup);
  expect(permitted(await as(`mutation($workspaceId: ID!, $name: String!) { createProject(input: { workspaceId: $workspaceId, name: $name }) { id } }`, { name: `P ${tag}` }))).toBe(can.createResources);
  expect(permitted(await as(`mutation($workspaceId: ID!, $name: String!) { createProjectTag(input: { workspaceId: $workspaceId, name: $name }) { id } }`, { name: `T ${tag}` }))).toBe(can.manageProjectTags);
  for (const invitee of ROLES) {
    const invited = await as(`mutation($workspaceId: ID!, $emails: [String!]!, $role: WorkspaceRole!) { inviteUsers(input: { workspaceId: $workspaceId, emails: $emails, role: $role }) { id } }`, {
      emails: [`${invitee.toLowerCase()}-${tag}@acme.test`],
      role: invitee,
    });
    expect({ invitee, permitted: permitted(invited) }).toEqual({ invitee, permitted: can.inviteRoles.includes(invitee) });
  }
  for (const project of home.workspace.projects.nodes) {
    const members = await as(`query($id: ID!, $workspaceId: ID!) { workspace(id: $workspaceId) { project(id: $id) { members { role } } } }`, { id: project.id });
    expect({ project: project.name, seeMembers: permitted(members) }).toEqual({ project: project.name, seeMembers: project.viewerCan.seeMembers });
  }
  for (const group of home.workspace.groups) {
    const managers = await as(`query($id: ID!, $workspaceId: ID!) { workspace(id: $workspaceId) { group(id: $id) { managers { id } } } }`, { id: group.id });
    expect({ group: group.name, seeManagers: permitted(managers) }).toEqual({ group: group.name, seeManagers: group.viewerCan.seeManagers });
  }
});
