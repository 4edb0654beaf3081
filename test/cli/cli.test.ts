import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli, type CliOptions } from '../../src/cli';
import { addMember, countRows, createWorkspace } from '../support/fixtures';
import { freshDatabase, startTestServer, TEST_SECRET, type TestServer } from '../support/harness';
import { resourceWithAdmin } from '../users/users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ENV = { NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SEED_DEMO: 'false' };

/** Runs a command line against the test server's database; answers its exit status and output. */
async function cli(args: string[], options: CliOptions = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    env: ENV,
    database: server.database,
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    ...options,
  });
  return { code, out, err };
}

const membership = async (workspaceId: string, userId: string) =>
  (await server.db.query(`SELECT role, status, removed_at FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]))[0];

describe('migrate', () => {
  it('migrates a fresh database from the environment, then finds it up to date', async () => {
    const fresh = process.env.TEST_DATABASE_URL ? await freshDatabase() : null;
    const dataDir = fresh ? undefined : mkdtempSync(join(tmpdir(), 'wsapi-cli-'));
    const env = { ...ENV, ...(fresh ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir }) };
    try {
      const first = await cli(['migrate'], { env, database: undefined });
      expect(first).toMatchObject({ code: 0, err: '' });
      expect(first.out).toMatch(/^migrated: Initial\d+/);
      const again = await cli(['migrate'], { env, database: undefined });
      expect(again).toEqual({ code: 0, out: 'The database is up to date.\n', err: '' });
    } finally {
      if (fresh) {
        await fresh.database.close();
        await fresh.drop();
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('create-workspace and token', () => {
  it('makes a workspace whose ADMIN, signing in with a minted token, sees it', async () => {
    const email = `Operator-${randomUUID().slice(0, 6)}@Ops.Test`;
    const made = await cli(['create-workspace', '--name', '  Support made  ', '--admin-email', email]);
    expect(made.code).toBe(0);
    const { workspaceId, adminUserId } = JSON.parse(made.out);
    const [workspace] = await server.db.query(`SELECT name, internal_domains FROM workspaces WHERE id = $1`, [workspaceId]);
    expect(workspace).toEqual({ name: 'Support made', internal_domains: ['ops.test'] });
    expect(await membership(workspaceId, adminUserId)).toMatchObject({ role: 'ADMIN', status: 'JOINED', removed_at: null });
    const [entry] = await server.db.query(`SELECT actor_id, action, details FROM audit_log WHERE workspace_id = $1`, [workspaceId]);
    expect(entry).toMatchObject({ actor_id: null, action: 'createWorkspace', details: { via: 'cli', name: 'Support made' } });

    const minted = await cli(['token', '--email', email, '--name', 'Ops']);
    expect(minted.code).toBe(0);
    const token = minted.out.trim();
    const res = await server.gql(`{ viewer { id email workspaces { id viewerRole } } }`, {}, token);
    expect(res.data.viewer).toEqual({ id: adminUserId, email: email.toLowerCase(), workspaces: [{ id: workspaceId, viewerRole: 'ADMIN' }] });
  });

  it('mints a token with the subject of a person who has signed in already', async () => {
    const { admin } = await createWorkspace(server);
    const minted = await cli(['token', '--email', admin.email]);
    const res = await server.gql(`{ viewer { id } }`, {}, minted.out.trim());
    expect(res.data.viewer.id).toBe(admin.id);
  });

  it.each([
    ['a bad admin email', ['create-workspace', '--name', 'X', '--admin-email', 'nope'], /--admin-email: not a valid email/],
    ['a blank name', ['create-workspace', '--name', '  ', '--admin-email', 'a@b.test'], /--name must not be empty/],
    ['a missing option', ['create-workspace', '--name', 'X'], /required option '--admin-email <email>' not specified/],
    ['an unknown command', ['destroy-everything'], /unknown command/],
  ])('refuses %s with status 1 and writes nothing', async (_name, args, message) => {
    const before = await Promise.all(['workspaces', 'users', 'memberships'].map((t) => countRows(server, t)));
    const res = await cli(args);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(message);
    expect(await Promise.all(['workspaces', 'users', 'memberships'].map((t) => countRows(server, t)))).toEqual(before);
  });

  it('refuses to mint a token without AUTH_JWT_SECRET, or when the service checks tokens from a JWKS', async () => {
    const noSecret = await cli(['token', '--email', 'a@b.test', '--sub', 'x'], { env: { NODE_ENV: 'test' } });
    expect(noSecret).toMatchObject({ code: 1, err: expect.stringMatching(/AUTH_JWT_SECRET/) });
    const jwks = await cli(['token', '--email', 'a@b.test', '--sub', 'x'], { env: { NODE_ENV: 'test', AUTH_JWKS_URL: 'https://idp.test/jwks.json' } });
    expect(jwks).toMatchObject({ code: 1, err: expect.stringMatching(/AUTH_JWKS_URL/) });
  });

  it.each(['-5h', '0h', '12', 'soon', '400d'])('refuses to mint a token that expires %s', async (expiresIn) => {
    const res = await cli(['token', '--email', 'a@b.test', '--sub', 'x', '--expires-in', expiresIn]);
    expect(res).toMatchObject({ code: 1, out: '', err: expect.stringMatching(/--expires-in: a positive duration/) });
  });
});

describe('remove-admin', () => {
  it('removes an ADMIN when another JOINED ADMIN remains, audited with a null actor', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await addMember(server, workspaceId, 'ADMIN');
    const entriesBefore = await countRows(server, 'audit_log');
    const res = await cli(['remove-admin', '--workspace', workspaceId, '--email', other.email.toUpperCase()]);
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(await countRows(server, 'audit_log')).toBe(entriesBefore + 1); // one action, one entry
    expect(JSON.parse(res.out)).toEqual({ removedUserId: other.id, reassigned: [] });
    expect((await membership(workspaceId, other.id)).removed_at).not.toBeNull();
    const [entry] = await server.db.query(`SELECT actor_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'removeUser'`, [workspaceId]);
    expect(entry).toMatchObject({ actor_id: null, details: { via: 'cli', role: 'ADMIN', email: other.email, operator: expect.stringMatching(/^\S+@\S+$/) } });
    // The log shows the operator's action with no actor.
    const log = await server.gql(`query($w: ID!) { workspace(id: $w) { auditLog(first: 1) { nodes { action actor { id } } } } }`, { w: workspaceId }, admin.token);
    expect(log.data.workspace.auditLog.nodes).toEqual([{ action: 'removeUser', actor: null }]);
  });

  it('refuses the last JOINED ADMIN (an INVITED ADMIN does not count) and changes nothing', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    const before = await countRows(server, 'audit_log');
    const res = await cli(['remove-admin', '--workspace', workspaceId, '--email', admin.email]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/last ADMIN/);
    expect((await membership(workspaceId, admin.id)).removed_at).toBeNull();
    expect(await countRows(server, 'audit_log')).toBe(before);
  });

  it.each([
    ['a MEMBER', 'member', /not an ADMIN/],
    ['a person of no workspace', 'stranger', /is not a member/],
    ['an unknown workspace', 'unknown-workspace', /No workspace/],
    ['a malformed workspace id', 'bad-workspace', /not a workspace id/],
  ])('refuses %s with status 1', async (_name, which, message) => {
    const { workspaceId, admin } = await createWorkspace(server);
    await addMember(server, workspaceId, 'ADMIN');
    const member = await addMember(server, workspaceId, 'MEMBER');
    const args: Record<string, [string, string]> = {
      member: [workspaceId, member.email],
      stranger: [workspaceId, 'nobody@example.test'],
      'unknown-workspace': [randomUUID(), admin.email],
      'bad-workspace': ['w1', admin.email],
    };
    const [w, email] = args[which];
    const res = await cli(['remove-admin', '--workspace', w, '--email', email]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(message);
    expect((await membership(workspaceId, member.id)).removed_at).toBeNull();
  });

  it('needs a replacement for a sole resource ADMIN, and hands the resources over', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const leaving = await addMember(server, workspaceId, 'ADMIN');
    const project = await resourceWithAdmin(server, workspaceId, 'PROJECT', 'Legacy', [leaving.id]);
    const refused = await cli(['remove-admin', '--workspace', workspaceId, '--email', leaving.email]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`PROJECT ${project} Legacy`);
    expect((await membership(workspaceId, leaving.id)).removed_at).toBeNull();

    const res = await cli(['remove-admin', '--workspace', workspaceId, '--email', leaving.email, '--replacement-email', admin.email]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out).reassigned).toEqual([{ type: 'PROJECT', id: project, name: 'Legacy' }]);
    const [role] = await server.db.query(`SELECT role FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [project, admin.id]);
    expect(role.role).toBe('ADMIN');
  });
});
