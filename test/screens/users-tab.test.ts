import { addMember, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { operation, screenClient } from './screens.support';

/** The Users tab: one request serves a page searched, filtered and ordered, with each row's buttons. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const USERS_TAB = operation('users-tab', 'UsersTab');

it('one query: a searched, filtered, ordered page, and what the viewer may do to each person', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Users tab');
  const wfm = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
  const taskers = [await addMember(server, workspaceId, 'TASKER'), await addMember(server, workspaceId, 'TASKER', 'INVITED')];
  const member = await addMember(server, workspaceId, 'MEMBER');

  // The ADMIN's tab, ordered by role, descending.
  const asAdmin = screenClient(server, admin);
  const all = await asAdmin.send(USERS_TAB, { workspaceId, orderBy: { field: 'ROLE', direction: 'DESC' } });
  expect(all.errors).toBeUndefined();
  expect(asAdmin.requests).toBe(1);
  const rows = all.data.workspace.users.nodes;
  expect(rows.map((r: any) => r.role)).toEqual(['TASKER', 'TASKER', 'WORKFORCE_MANAGER', 'MEMBER', 'ADMIN']);
  expect(all.data.workspace.viewerCan.inviteRoles).toEqual(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER']);
  const row = (id: string) => rows.find((r: any) => r.id === id);
  expect(row(member.id).viewerCan).toEqual({ remove: true, changeRole: true, assignableRoles: ['ADMIN', 'WORKFORCE_MANAGER', 'TASKER'] });
  // An ADMIN is removed by no one here, and steps down only themselves (the last one is then kept by INVARIANT).
  expect(row(admin.id).viewerCan).toEqual({ remove: false, changeRole: true, assignableRoles: ['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] });

  // The WORKFORCE_MANAGER's tab, filtered to invited TASKERs: they may remove TASKERs and change no roles.
  const asWfm = screenClient(server, wfm);
  const invited = await asWfm.send(USERS_TAB, { workspaceId, filter: { role: 'TASKER', status: 'INVITED' }, orderBy: { field: 'INVITED_AT' } });
  expect(invited.errors).toBeUndefined();
  expect(invited.data.workspace.users.totalCount).toBe(1);
  expect(invited.data.workspace.users.nodes[0]).toMatchObject({ id: taskers[1]!.id, status: 'INVITED', viewerCan: { remove: true, changeRole: false } });
  expect(invited.data.workspace.viewerCan.inviteRoles).toEqual(['TASKER']);
  const others = await asWfm.send(USERS_TAB, { workspaceId, filter: { search: member.email.slice(0, 12) } });
  expect(others.data.workspace.users.nodes).toEqual([expect.objectContaining({ id: member.id, viewerCan: { remove: false, changeRole: false, assignableRoles: [] } })]);
  expect(asWfm.requests).toBe(2);

  // The flags are the operations' own rules: what the tab offered the WORKFORCE_MANAGER, the API does.
  const removed = await server.gql(`mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId } }`, { input: { workspaceId, userId: taskers[1]!.id } }, wfm.token);
  expect(removed.errors).toBeUndefined();
  const refused = await server.gql(`mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId } }`, { input: { workspaceId, userId: member.id } }, wfm.token);
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

it('pages with the cursor it gave, under the order the tab shows', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Users tab pages');
  for (let i = 0; i < 5; i++) await addMember(server, workspaceId, i % 2 ? 'MEMBER' : 'TASKER');
  const asAdmin = screenClient(server, admin);
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const page: any = await asAdmin.send(USERS_TAB, { workspaceId, orderBy: { field: 'JOINED_AT', direction: 'DESC' }, first: 2, after });
    expect(page.errors).toBeUndefined();
    seen.push(...page.data.workspace.users.nodes.map((r: any) => r.id));
    after = page.data.workspace.users.pageInfo.hasNextPage ? page.data.workspace.users.pageInfo.endCursor : null;
  } while (after);
  expect(seen).toHaveLength(6);
  expect(new Set(seen).size).toBe(6);
  expect(asAdmin.requests).toBe(3);
});
