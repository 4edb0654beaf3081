import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { CHANGE_ROLE, INVITE, statementsOf, uniqueEmail } from '../users/users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const LOG = `query($w: ID!, $first: Int, $after: String) { workspace(id: $w) { auditLog(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id at action targetType targetId details actor { id email role } } } } }`;

describe('workspace.auditLog', () => {
  it('shows an ADMIN every change, newest first, with its actor and JSON details', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Audited');
    const member = await addMember(server, workspaceId, 'MEMBER');
    const email = uniqueEmail();
    expect((await server.gql(INVITE, { input: { workspaceId, emails: [email], role: 'TASKER' } }, admin.token)).errors).toBeUndefined();
    expect((await server.gql(CHANGE_ROLE, { input: { workspaceId, userId: member.id, role: 'WORKFORCE_MANAGER' } }, admin.token)).errors).toBeUndefined();

    const res = await server.gql(LOG, { w: workspaceId }, admin.token);
    expect(res.errors).toBeUndefined();
    const log = res.data.workspace.auditLog;
    expect(log.totalCount).toBe(3);
    expect(log.nodes.map((n: any) => n.action)).toEqual(['changeUserRole', 'inviteUsers', 'createWorkspace']);
    const [changed, invited, created] = log.nodes;
    expect(changed).toMatchObject({ targetType: 'WorkspaceUser', targetId: member.id, actor: { id: admin.id, email: admin.email, role: 'ADMIN' } });
    expect(JSON.parse(changed.details)).toEqual({ from: 'MEMBER', to: 'WORKFORCE_MANAGER' });
    expect(JSON.parse(invited.details)).toMatchObject({ email, role: 'TASKER' });
    expect(created).toMatchObject({ targetType: 'Workspace', targetId: workspaceId });
    expect(new Date(changed.at).getTime()).toBeGreaterThanOrEqual(new Date(created.at).getTime());
  });

  it('pages newest first with cursors, each entry once', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const roles = ['TASKER', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER', 'MEMBER'];
    for (const role of roles) await server.gql(CHANGE_ROLE, { input: { workspaceId, userId: member.id, role } }, admin.token);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await server.gql(LOG, { w: workspaceId, first: 2, after }, admin.token);
      const log = res.data.workspace.auditLog;
      expect(log.totalCount).toBe(6);
      seen.push(...log.nodes.map((n: any) => n.id));
      if (!log.pageInfo.hasNextPage) break;
      after = log.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
  });

  it("shows only this workspace's entries, and a null actor for an operator's action", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await createWorkspace(server, 'Elsewhere');
    await server.db.query(
      `INSERT INTO audit_log (workspace_id, actor_id, action, target_type, target_id, details) VALUES ($1, NULL, 'removeUser', 'WorkspaceUser', $2, '{"via":"cli"}')`,
      [workspaceId, randomUUID()],
    );
    const res = await server.gql(LOG, { w: workspaceId }, admin.token);
    expect(res.data.workspace.auditLog.nodes.map((n: any) => [n.action, n.actor?.id ?? null])).toEqual([
      ['removeUser', null],
      ['createWorkspace', admin.id],
    ]);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses a %s with FORBIDDEN', async (role) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, role);
    const res = await server.gql(LOG, { w: workspaceId }, person.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data?.workspace?.auditLog ?? null).toBeNull();
  });

  it.each(['INVITED', 'DECLINED'] as const)('shows an %s ADMIN nothing: the workspace is null', async (status) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'ADMIN', status);
    const res = await server.gql(LOG, { w: workspaceId }, person.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.workspace).toBeNull();
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a cursor that is not ours', { after: 'garbage' }, 'after'],
    ['a cursor with a negative id', { after: Buffer.from('[-5]').toString('base64url') }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_name, vars, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(LOG, { w: workspaceId, ...vars }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
  });

  it('resolves the actors of a page with one batched query, whatever the page size', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const people = await Promise.all(Array.from({ length: 12 }, () => addMember(server, workspaceId, 'MEMBER')));
    for (const person of people) {
      await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { workspaceId, name: 'k' } }, person.token);
    }
    const run = (first: number) => statementsOf(server, async () => {
      const res = await server.gql(LOG, { w: workspaceId, first }, admin.token);
      expect(res.errors).toBeUndefined();
      expect(res.data.workspace.auditLog.nodes).toHaveLength(first);
    });
    const small = await run(2);
    const large = await run(13);
    expect(large.length).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(5);
  });
});
