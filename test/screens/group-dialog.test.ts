import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/** The group dialog: one query fills its pickers (and the group, when editing); one mutation saves it, all or nothing. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const DIALOG = operation('group-dialog', 'GroupDialog');
const EDIT_DIALOG = operation('group-dialog', 'EditGroupDialog');
const CREATE = operation('create-group', 'CreateGroup');
const UPDATE = operation('update-group', 'UpdateGroup');

const ids = (list: any[]) => list.map((p) => p.id).sort();

async function dialogWorkspace() {
  const { workspaceId, admin } = await createWorkspace(server, 'Groups', `boss-${Date.now()}@acme.test`);
  await server.db.query(`UPDATE workspaces SET internal_domains = ARRAY['acme.test'] WHERE id = $1`, [workspaceId]);
  const inside = await addMember(server, workspaceId, 'MEMBER');
  const tasker = await addMember(server, workspaceId, 'TASKER');
  const invited = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
  const outside = await addMember(server, workspaceId, 'MEMBER', 'JOINED', `out-${Date.now()}@elsewhere.test`);
  return { workspaceId, admin, inside, tasker, invited, outside };
}

it('creates a group with its members and managers from one query and one save', async () => {
  const w = await dialogWorkspace();
  const ui = screenClient(server, w.admin);
  const dialog = await ui.send(DIALOG, { workspaceId: w.workspaceId });
  expect(dialog.errors).toBeUndefined();
  const { memberCandidates, managerCandidates, viewerCan } = dialog.data.workspace;
  expect(viewerCan.createGroup).toBe(true);
  expect(ids(memberCandidates.nodes)).toEqual(ids([w.admin, w.inside, w.tasker, w.invited, w.outside]));
  // Managers must be internal people who joined: the picker holds only them (a TASKER among them is shown disabled by role).
  expect(ids(managerCandidates.nodes)).toEqual(ids([w.admin, w.inside, w.tasker]));

  const saved = await ui.send(CREATE, { input: { workspaceId: w.workspaceId, name: 'Night shift', description: 'Weekend reviewers', memberIds: [w.outside.id, w.invited.id], managerIds: [w.inside.id] } });
  expect(saved.errors).toBeUndefined();
  expect(saved.data.createGroup).toMatchObject({ name: 'Night shift', description: 'Weekend reviewers' });
  expect(ids(saved.data.createGroup.members)).toEqual(ids([w.outside, w.invited]));
  expect(ids(saved.data.createGroup.managers)).toEqual([w.inside.id]);
  expect(ui.requests).toBe(2);
});

it('edits a group in one save of the whole lists, and a refused save changes nothing', async () => {
  const w = await dialogWorkspace();
  const ui = screenClient(server, w.admin);
  const created = await ui.send(CREATE, { input: { workspaceId: w.workspaceId, name: 'Day shift', memberIds: [w.outside.id], managerIds: [w.inside.id] } });
  const groupId = created.data.createGroup.id;

  const dialog = await ui.send(EDIT_DIALOG, { workspaceId: w.workspaceId, groupId, managerSearch: 'member' });
  expect(dialog.errors).toBeUndefined();
  expect(dialog.data.workspace.group).toMatchObject({ id: groupId, name: 'Day shift', viewerCan: { update: true, manageMembers: true, manageManagers: true } });
  expect(ids(dialog.data.workspace.group.members)).toEqual([w.outside.id]);
  expect(dialog.data.workspace.managerCandidates.nodes.every((p: any) => p.email.startsWith('member-'))).toBe(true);

  const saved = await ui.send(UPDATE, { input: { groupId, name: 'Late shift', description: '', memberIds: [w.tasker.id, w.invited.id], managerIds: [w.admin.id] } });
  expect(saved.errors).toBeUndefined();
  expect(saved.data.updateGroup).toMatchObject({ name: 'Late shift', description: null });
  expect(ids(saved.data.updateGroup.members)).toEqual(ids([w.tasker, w.invited]));
  expect(ids(saved.data.updateGroup.managers)).toEqual([w.admin.id]);

  // One manager in the new list may not manage (an external person): the whole save is refused, name and members too.
  const refused = await ui.send(UPDATE, { input: { groupId, name: 'Never', memberIds: [w.outside.id], managerIds: [w.admin.id, w.outside.id] } });
  expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const after = await ui.send(EDIT_DIALOG, { workspaceId: w.workspaceId, groupId });
  expect(after.data.workspace.group.name).toBe('Late shift');
  expect(ids(after.data.workspace.group.members)).toEqual(ids([w.tasker, w.invited]));
  expect(ids(after.data.workspace.group.managers)).toEqual([w.admin.id]);
});
