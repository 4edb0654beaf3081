import { assignUser, createResource, ok } from '../resources/fixtures';
import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/** The "Assign to" picker: one query searches every resource type; one mutation saves the choice. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PICKER = operation('assign-to-picker', 'AssignToPicker');
const ASSIGN_TO = operation('assign-to', 'AssignTo');

const names = (connection: any) => connection.nodes.map((n: any) => n.name).sort();

it('searches projects, datasets and ontologies in one query, each with the roles the viewer may give', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Picker');
  const person = await addMember(server, workspaceId, 'MEMBER');
  await createResource(server, admin, workspaceId, 'PROJECT', 'Alpha labelling');
  await createResource(server, admin, workspaceId, 'PROJECT', 'Beta labelling');
  const dataset = await createResource(server, admin, workspaceId, 'DATASET', 'ALPHA scans');
  await createResource(server, admin, workspaceId, 'DATASET', 'Gamma scans');
  await createResource(server, admin, workspaceId, 'ONTOLOGY', 'alpha-ontology');
  await createResource(server, admin, workspaceId, 'ONTOLOGY', 'Delta ontology');

  const asAdmin = screenClient(server, admin);
  const picked = await asAdmin.send(PICKER, { workspaceId, search: 'alpha' });
  expect(picked.errors).toBeUndefined();
  const { projects, datasets, ontologies } = picked.data.workspace;
  expect([names(projects), names(datasets), names(ontologies)]).toEqual([['Alpha labelling'], ['ALPHA scans'], ['alpha-ontology']]);
  expect([projects.totalCount, datasets.totalCount, ontologies.totalCount]).toEqual([1, 1, 1]);
  expect(projects.nodes[0].viewerCan.assignableRoles.sort()).toEqual(['ADMIN', 'ANNOTATOR', 'ANNOTATOR_REVIEWER', 'REVIEWER', 'TEAM_MANAGER']);
  expect(datasets.nodes[0].viewerCan.assignableRoles.sort()).toEqual(['ADMIN', 'USER']);

  const saved = await asAdmin.send(ASSIGN_TO, { input: { workspaceId, userId: person.id, resourceType: 'DATASET', resourceIds: [dataset], role: 'USER' } });
  expect(saved.errors).toBeUndefined();
  expect(saved.data.assignUser).toEqual([{ role: 'USER', resource: { __typename: 'Dataset', id: dataset, type: 'DATASET', name: 'ALPHA scans' }, via: null }]);
  expect(asAdmin.requests).toBe(2);
});

it("offers a TEAM_MANAGER only what they see and may give, and the save agrees with the picker's flags", async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Picker lead');
  const lead = await addMember(server, workspaceId, 'MEMBER');
  const person = await addMember(server, workspaceId, 'MEMBER');
  const theirs = await createResource(server, admin, workspaceId, 'PROJECT', 'Lead project');
  await createResource(server, admin, workspaceId, 'PROJECT', 'Lead-less project');
  ok(await assignUser(server, admin, { workspaceId, userId: lead.id, resourceIds: [theirs], role: 'TEAM_MANAGER' }));

  const asLead = screenClient(server, lead);
  const picked = await asLead.send(PICKER, { workspaceId, search: 'lead' });
  expect(picked.errors).toBeUndefined();
  expect(names(picked.data.workspace.projects)).toEqual(['Lead project']);
  expect(picked.data.workspace.projects.totalCount).toBe(1);
  const offered: string[] = picked.data.workspace.projects.nodes[0].viewerCan.assignableRoles;
  expect(offered.length).toBeGreaterThan(0);
  expect(offered).not.toContain('ADMIN');

  const refused = await asLead.send(ASSIGN_TO, { input: { workspaceId, userId: person.id, resourceType: 'PROJECT', resourceIds: [theirs], role: 'ADMIN' } });
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const saved = await asLead.send(ASSIGN_TO, { input: { workspaceId, userId: person.id, resourceType: 'PROJECT', resourceIds: [theirs], role: offered[0] } });
  expect(saved.errors).toBeUndefined();
  expect(saved.data.assignUser[0]).toMatchObject({ role: offered[0], resource: { id: theirs } });
});
