import { assignUser, createResource, ok } from '../resources/fixtures';
import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/** The Remove-user prompt: one query says what a removal hands over and to whom; no failing removeUser first. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PROMPT = operation('remove-user-prompt', 'RemoveUserPrompt');
const REMOVE = operation('remove-user', 'RemoveUser');

/** A TASKER who is the only ADMIN of a dataset the WORKFORCE_MANAGER sees and of a project they do not. */
async function removalWorkspace() {
  const { workspaceId, admin } = await createWorkspace(server, 'Removal');
  const wfm = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
  const tasker = await addMember(server, workspaceId, 'TASKER');
  const heir = await addMember(server, workspaceId, 'MEMBER');
  const shared = await createResource(server, admin, workspaceId, 'DATASET', 'Shared scans');
  const hidden = await createResource(server, admin, workspaceId, 'PROJECT', 'Hidden project');
  ok(await assignUser(server, admin, { workspaceId, userId: tasker.id, resourceType: 'DATASET', resourceIds: [shared], role: 'ADMIN' }));
  ok(await assignUser(server, admin, { workspaceId, userId: tasker.id, resourceType: 'PROJECT', resourceIds: [hidden], role: 'ADMIN' }));
  // The creator steps back to a lesser role: the TASKER is each resource's only ADMIN.
  ok(await assignUser(server, admin, { workspaceId, userId: admin.id, resourceType: 'DATASET', resourceIds: [shared], role: 'USER' }));
  ok(await assignUser(server, admin, { workspaceId, userId: admin.id, resourceType: 'PROJECT', resourceIds: [hidden], role: 'ANNOTATOR' }));
  ok(await assignUser(server, admin, { workspaceId, userId: wfm.id, resourceType: 'DATASET', resourceIds: [shared], role: 'USER' }));
  return { workspaceId, admin, wfm, tasker, heir, shared, hidden };
}

it("shows a WORKFORCE_MANAGER what the removal itself would answer, and that they cannot hand the resources over", async () => {
  const w = await removalWorkspace();
  const ui = screenClient(server, w.wfm);
  const prompt = await ui.send(PROMPT, { workspaceId: w.workspaceId, userId: w.tasker.id });
  expect(prompt.errors).toBeUndefined();
  const { user, replacements } = prompt.data.workspace;
  expect(user.viewerCan.remove).toBe(true);
  expect(user.soleAdminOf).toEqual({
    resources: [{ __typename: 'Dataset', id: w.shared, type: 'DATASET', name: 'Shared scans', viewerCan: { assignableRoles: [] } }],
    hiddenCount: 1,
  });
  expect(replacements.nodes.map((p: any) => p.id)).toEqual(expect.arrayContaining([w.admin.id, w.wfm.id, w.heir.id]));

  // Confirming without a replacement: refused with exactly what the prompt showed.
  const refused = await ui.send(REMOVE, { input: { workspaceId: w.workspaceId, userId: w.tasker.id } });
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'REPLACEMENT_REQUIRED', resources: [{ type: 'DATASET', id: w.shared, name: 'Shared scans' }], hiddenCount: 1 });
  // With one: handing over needs giving ADMIN there, which the prompt showed they may not.
  const forbidden = await ui.send(REMOVE, { input: { workspaceId: w.workspaceId, userId: w.tasker.id, replacementUserId: w.heir.id } });
  expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(ui.requests).toBe(3);
});

it('lets an ADMIN see everything that passes and remove in one confirm', async () => {
  const w = await removalWorkspace();
  const ui = screenClient(server, w.admin);
  const prompt = await ui.send(PROMPT, { workspaceId: w.workspaceId, userId: w.tasker.id, search: w.heir.email });
  expect(prompt.errors).toBeUndefined();
  const { soleAdminOf } = prompt.data.workspace.user;
  expect(soleAdminOf.hiddenCount).toBe(0);
  expect(soleAdminOf.resources.map((r: any) => r.id).sort()).toEqual([w.shared, w.hidden].sort());
  expect(soleAdminOf.resources.every((r: any) => r.viewerCan.assignableRoles.includes('ADMIN'))).toBe(true);
  expect(prompt.data.workspace.replacements.nodes.map((p: any) => p.id)).toEqual([w.heir.id]);

  const removed = await ui.send(REMOVE, { input: { workspaceId: w.workspaceId, userId: w.tasker.id, replacementUserId: w.heir.id } });
  expect(removed.errors).toBeUndefined();
  expect(removed.data.removeUser.removedUserId).toBe(w.tasker.id);
  expect(removed.data.removeUser.reassigned.map((r: any) => r.id).sort()).toEqual([w.shared, w.hidden].sort());
  const admins = await server.db.query(`SELECT resource_id FROM resource_user_roles WHERE user_id = $1 AND role = 'ADMIN'`, [w.heir.id]);
  expect(admins.map((r: any) => r.resource_id).sort()).toEqual([w.shared, w.hidden].sort());
  expect(ui.requests).toBe(2);
});

it('tells a viewer who may not remove the person before they try', async () => {
  const { workspaceId } = await createWorkspace(server, 'Removal refused');
  const wfm = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
  const member = await addMember(server, workspaceId, 'MEMBER');
  const prompt = await screenClient(server, wfm).send(PROMPT, { workspaceId, userId: member.id });
  expect(prompt.errors).toBeUndefined();
  expect(prompt.data.workspace.user.viewerCan.remove).toBe(false);
  const tried = await server.gql(REMOVE, { input: { workspaceId, userId: member.id } }, wfm.token);
  expect(tried.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
