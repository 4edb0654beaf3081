import { addMember, countRows, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE = `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id name viewerRole internalDomains } }`;
const UPDATE = `mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id name internalDomains } }`;
const WORKSPACE = `query($id: ID!) { workspace(id: $id) { id name viewerRole internalDomains } }`;

describe('createWorkspace', () => {
  it("makes the creator its first ADMIN, with their email's domain internal", async () => {
    const ada = await signIn(server, 'ada@lovelace.test');
    const res = await server.gql(CREATE, { input: { name: '  Analytical Engines  ' } }, ada.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.createWorkspace).toMatchObject({ name: 'Analytical Engines', viewerRole: 'ADMIN', internalDomains: ['lovelace.test'] });
    const mine = await server.gql(`{ viewer { workspaces { id viewerRole } } }`, {}, ada.token);
    expect(mine.data.viewer.workspaces).toEqual([{ id: res.data.createWorkspace.id, viewerRole: 'ADMIN' }]);
    const [entry] = await server.db.query(`SELECT action, actor_id FROM audit_log WHERE workspace_id = $1`, [res.data.createWorkspace.id]);
    expect(entry).toEqual({ action: 'createWorkspace', actor_id: ada.id });
  });

  it('takes internal domains, normalised and de-duplicated', async () => {
    const person = await signIn(server, 'd@domains.test');
    const res = await server.gql(CREATE, { input: { name: 'Domains', internalDomains: [' Example.COM ', 'example.com', 'sub.example.org'] } }, person.token);
    expect(res.data.createWorkspace.internalDomains).toEqual(['example.com', 'sub.example.org']);
  });

  it.each([
    ['an empty name', { name: '' }, 'input.name'],
    ['a blank name', { name: '   ' }, 'input.name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'input.name'],
    ['a malformed domain', { name: 'Ok', internalDomains: ['not a domain'] }, 'input.internalDomains'],
    ['a domain with a scheme', { name: 'Ok', internalDomains: ['https://example.com'] }, 'input.internalDomains'],
    ['a control character', { name: 'bad\u0007name' }, 'input.name'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_name, input, field) => {
    const person = await signIn(server, 'validation@example.test');
    const before = await Promise.all(['workspaces', 'memberships', 'audit_log'].map((t) => countRows(server, t)));
    const res = await server.gql(CREATE, { input }, person.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
    const after = await Promise.all(['workspaces', 'memberships', 'audit_log'].map((t) => countRows(server, t)));
    expect(after).toEqual(before);
  });

  it('accepts a name of exactly 200 characters', async () => {
    const person = await signIn(server, 'long@example.test');
    const res = await server.gql(CREATE, { input: { name: 'y'.repeat(200) } }, person.token);
    expect(res.data.createWorkspace.name).toHaveLength(200);
  });
});

describe('workspace(id)', () => {
  it('is null for a person who is not a member, and for a malformed id', async () => {
    const { workspaceId } = await createWorkspace(server);
    const stranger = await signIn(server, 'stranger@example.test');
    expect((await server.gql(WORKSPACE, { id: workspaceId }, stranger.token)).data.workspace).toBeNull();
    expect((await server.gql(WORKSPACE, { id: 'nope' }, stranger.token)).data.workspace).toBeNull();
  });

  it.each(['INVITED', 'DECLINED'] as const)('is null for an %s person', async (status) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER', status);
    const res = await server.gql(WORKSPACE, { id: workspaceId }, person.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.workspace).toBeNull();
  });

  it.each(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('shows a JOINED %s their role', async (role) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, role);
    const res = await server.gql(WORKSPACE, { id: workspaceId }, person.token);
    expect(res.data.workspace).toMatchObject({ id: workspaceId, viewerRole: role });
  });
});

describe('updateWorkspace', () => {
  it('lets an ADMIN rename and set internal domains, audited with from and to', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Before');
    const res = await server.gql(UPDATE, { input: { workspaceId, name: 'After', internalDomains: ['acme.test', 'partner.test'] } }, admin.token);
    expect(res.data.updateWorkspace).toEqual({ id: workspaceId, name: 'After', internalDomains: ['acme.test', 'partner.test'] });
    const [entry] = await server.db.query(`SELECT details FROM audit_log WHERE workspace_id = $1 AND action = 'updateWorkspace'`, [workspaceId]);
    expect(entry.details).toMatchObject({ from: { name: 'Before' }, to: { name: 'After' } });
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses a %s with FORBIDDEN', async (role) => {
    const { workspaceId } = await createWorkspace(server, 'Kept');
    const person = await addMember(server, workspaceId, role);
    const res = await server.gql(UPDATE, { input: { workspaceId, name: 'Taken' } }, person.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    const [row] = await server.db.query(`SELECT name FROM workspaces WHERE id = $1`, [workspaceId]);
    expect(row.name).toBe('Kept');
  });

  it('answers NOT_FOUND to a non-member and to an INVITED person', async () => {
    const { workspaceId } = await createWorkspace(server);
    const stranger = await signIn(server, 'outsider@example.test');
    const invited = await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    for (const person of [stranger, invited]) {
      const res = await server.gql(UPDATE, { input: { workspaceId, name: 'x' } }, person.token);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(UPDATE, { input: { workspaceId, internalDomains: ['bad domain'] } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.internalDomains');
  });
});

describe('internal domains and group managers', () => {
  it('refuses to drop a domain that a group manager needs (INVARIANT), and allows it once they are gone', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Managed', 'boss@managed.test');
    const manager = await addMember(server, workspaceId, 'MEMBER', 'JOINED', 'lead@managed.test');
    const group = await server.gql(
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { workspaceId, name: 'Crew', managerIds: [manager.id] } },
      admin.token,
    );
    expect(group.errors).toBeUndefined();
    const refused = await server.gql(UPDATE, { input: { workspaceId, internalDomains: ['other.test'] } }, admin.token);
    expect(errorCode(refused)).toBe('INVARIANT');
    expect(refused.errors![0].message).toContain('lead@managed.test');
    const [row] = await server.db.query(`SELECT internal_domains FROM workspaces WHERE id = $1`, [workspaceId]);
    expect(row.internal_domains).toEqual(['managed.test']);

    const removed = await server.gql(
      `mutation($input: GroupUsersInput!) { removeGroupManagers(input: $input) { id } }`,
      { input: { groupId: group.data.createGroup.id, userIds: [manager.id] } },
      admin.token,
    );
    expect(removed.errors).toBeUndefined();
    const allowed = await server.gql(UPDATE, { input: { workspaceId, internalDomains: ['other.test'] } }, admin.token);
    expect(allowed.data.updateWorkspace.internalDomains).toEqual(['other.test']);
  });
});
