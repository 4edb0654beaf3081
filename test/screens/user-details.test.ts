import { randomUUID } from 'node:crypto';
import { ASSIGN_GROUP, assignUser, createGroup, createResource, ok } from '../resources/fixtures';
import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/** User details: the person, groups, roles (direct and through groups), what a removal hands over, the buttons. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const USER_DETAILS = operation('user-details', 'UserDetails');

it('one query, each viewer shown what they may see of the person and no error', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Details');
  const person = await addMember(server, workspaceId, 'MEMBER');
  const lead = await addMember(server, workspaceId, 'MEMBER');
  const direct = await createResource(server, admin, workspaceId, 'PROJECT', 'Direct project');
  const throughGroup = await createResource(server, admin, workspaceId, 'PROJECT', 'Group project');
  const own = await createResource(server, person, workspaceId, 'DATASET', 'Own dataset');
  ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [direct], role: 'ANNOTATOR' }));
  ok(await assignUser(server, admin, { workspaceId, userId: lead.id, resourceIds: [direct], role: 'TEAM_MANAGER' }));
  const group = await createGroup(server, admin, workspaceId, { memberIds: [person.id], name: 'Reviewers' });
  ok(await server.gql(ASSIGN_GROUP, { input: { groupId: group, resourceType: 'PROJECT', resourceIds: [throughGroup], role: 'REVIEWER' } }, admin.token));

  const asAdmin = screenClient(server, admin);
  const full = await asAdmin.send(USER_DETAILS, { workspaceId, userId: person.id });
  expect(full.errors).toBeUndefined();
  expect(asAdmin.requests).toBe(1);
  const user = full.data.workspace.user;
  expect(user).toMatchObject({ id: person.id, role: 'MEMBER', status: 'JOINED', groups: [{ id: group, name: 'Reviewers' }] });
  const roles = (u: any) => u.assignments.map((a: any) => `${a.resource.name}:${a.role}:${a.via?.name ?? 'direct'}`).sort();
  expect(roles(user)).toEqual(['Direct project:ANNOTATOR:direct', 'Group project:REVIEWER:Reviewers', 'Own dataset:ADMIN:direct']);
  expect(user.soleAdminOf).toEqual({ resources: [{ __typename: 'Dataset', id: own, type: 'DATASET', name: 'Own dataset' }], hiddenCount: 0 });
  expect(user.viewerCan).toMatchObject({ remove: true, changeRole: true });

  // A TEAM_MANAGER of one project sees the person's role there, not the group they do not see nor
  // the dataset: it is counted, not named, in what a removal would hand over.
  const asLead = screenClient(server, lead);
  const partial = await asLead.send(USER_DETAILS, { workspaceId, userId: person.id });
  expect(partial.errors).toBeUndefined();
  const seen = partial.data.workspace.user;
  expect(seen.groups).toEqual([]);
  expect(roles(seen)).toEqual(['Direct project:ANNOTATOR:direct']);
  expect(seen.soleAdminOf).toEqual({ resources: [], hiddenCount: 1 });
  expect(seen.viewerCan).toEqual({ remove: false, changeRole: false, assignableRoles: [] });
});

it('answers null for a person the viewer may not see, as for one who does not exist', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Details hidden');
  const tasker = await addMember(server, workspaceId, 'TASKER');
  const asTasker = screenClient(server, tasker);
  const other = await asTasker.send(USER_DETAILS, { workspaceId, userId: admin.id });
  const nobody = await asTasker.send(USER_DETAILS, { workspaceId, userId: randomUUID() });
  for (const res of [other, nobody]) {
    expect(res.errors).toBeUndefined();
    expect(res.data.workspace.user).toBeNull();
  }
  const self = await asTasker.send(USER_DETAILS, { workspaceId, userId: tasker.id });
  expect(self.errors).toBeUndefined();
  expect(self.data.workspace.user).toMatchObject({ id: tasker.id, role: 'TASKER', viewerCan: { remove: false } });
});
