import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { seedDemo } from '../../src/demo/seed';
import { mintToken } from '../../src/dev-token';
import { ApiError, connect, type WorkspaceApi } from '../../examples/web-client/client';
import {
  CreateGroupDocument,
  RemoveUserDocument,
  UsersTabDocument,
  WorkspaceHomeDocument,
  type UsersTabQuery,
  type WorkspaceRole,
} from '../../examples/web-client/generated/graphql';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/harness';

/**
 * examples/web-client: its typed client and generated documents against the service, on the
 * demo workspace; and the CI guard (`npm run codegen -- --check`) rejecting a schema that
 * breaks the web UI's operations. tsc (CI's type check) compiles this file against the
 * generated types, so the typed reads and the @ts-expect-error lines below are checked too.
 */

const ROOT = join(__dirname, '..', '..');
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

let server: TestServer;
let workspaceId: string;
let admin: WorkspaceApi;
let member: WorkspaceApi;

beforeAll(async () => {
  server = await startTestServer();
  const demo = await seedDemo(server.db, pino({ level: 'silent' }));
  workspaceId = demo.workspaceId;
  admin = connect(server.url, await mintToken(TEST_SECRET, { sub: demo.admin.subject, email: demo.admin.email, name: demo.admin.name }));
  member = connect(server.url, await mintToken(TEST_SECRET, { sub: 'demo|max', email: 'max@demo.example', name: 'Max Member' }));
});
afterAll(() => server.close());

type Person = UsersTabQuery extends { workspace: { users: { nodes: Array<infer N> } } | null } ? N : never;

async function members(): Promise<Array<{ id: string; email: string; name: string; role: string; status: string; invited_at: Date | string }>> {
  return server.db.query(
    `SELECT u.id, u.email, u.name, m.role, m.status, m.invited_at FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.workspace_id = $1 AND m.status <> 'REMOVED'`,
    [workspaceId],
  );
}

it('UsersTab, ordered by NAME and paged by 2 to the end, holds what the database holds', async () => {
  const fetchSpy = jest.spyOn(globalThis, 'fetch');
  const pages: UsersTabQuery[] = [];
  let after: string | null = null;
  do {
    const data: UsersTabQuery = await admin.run(UsersTabDocument, { workspaceId, orderBy: { field: 'NAME' }, first: 2, after });
    pages.push(data);
    after = data.workspace?.users.pageInfo.hasNextPage ? data.workspace.users.pageInfo.endCursor : null;
  } while (after && pages.length < 10);
  // Queries went as GET, as urql sends them when it comes.
  expect(fetchSpy.mock.calls.map(([, init]) => init?.method ?? 'GET')).toEqual(pages.map(() => 'GET'));
  fetchSpy.mockRestore();

  const rows = (await members()).sort((a, b) => (a.name < b.name ? -1 : 1));
  expect(pages).toHaveLength(Math.ceil(rows.length / 2));
  expect(pages.at(-1)?.workspace?.users.pageInfo.hasNextPage).toBe(false);
  for (const page of pages) expect(page.workspace?.users.totalCount).toBe(rows.length);
  const people: Person[] = pages.flatMap((p) => p.workspace?.users.nodes ?? []);
  expect(people.map((p) => p.email)).toEqual(rows.map((r) => r.email));

  const firstRole: WorkspaceRole | undefined = pages[0].workspace?.users.nodes[0]?.role;
  expect(firstRole).toBe(rows[0].role);
  for (const [i, person] of people.entries()) {
    expect({ id: person.id, role: person.role, status: person.status }).toEqual({ id: rows[i].id, role: rows[i].role, status: rows[i].status });
    const invitedAt: string = person.invitedAt; // DateTime is a string, as the codegen config maps it
    expect(new Date(invitedAt).toISOString()).toBe(new Date(rows[i].invited_at).toISOString());
  }
  expect(pages[0].workspace?.viewerCan.inviteRoles).toContain('ADMIN');

  // tsc checks the generated types both ways: results are not `any`, variables are checked.
  void (() => {
    // @ts-expect-error a WorkspaceRole is no number
    const wrong: number | undefined = pages[0].workspace?.users.nodes[0]?.role;
    void wrong;
    // @ts-expect-error not a UserOrderField
    void admin.run(UsersTabDocument, { workspaceId, orderBy: { field: 'NICKNAME' } });
    // @ts-expect-error workspaceId is required
    void admin.run(UsersTabDocument, { first: 2 });
  });
});

it('WorkspaceHome as the demo ADMIN', async () => {
  const data = await admin.run(WorkspaceHomeDocument, { workspaceId });
  expect(data.viewer).toMatchObject({ email: 'ada@demo.example', name: 'Ada Admin' });
  const workspace = data.workspace;
  expect(workspace).toMatchObject({ id: workspaceId, name: 'Demo workspace', viewerRole: 'ADMIN' });
  expect(workspace?.viewerCan).toMatchObject({ update: true, seeMembers: true, createGroup: true, seeAuditLog: true });
  expect(workspace?.projects.nodes.map((p) => p.name).sort()).toEqual(['Chest X-rays', 'Street scenes']);
  expect(workspace?.datasets.nodes.map((d) => [d.name, d.viewerRole])).toEqual([['Dashcam 2026', 'ADMIN']]);
  expect(workspace?.groups.map((g) => g.name).sort()).toEqual(['Annotators', 'Reviewers']);
  const [{ count }] = await server.db.query(`SELECT count(*)::int AS count FROM jobs WHERE workspace_id = $1`, [workspaceId]);
  expect(workspace?.jobs.totalCount).toBe(count);
  expect(workspace?.jobs.nodes.map((j) => j.status).sort()).toEqual(['ERROR', 'PROCESSING', 'SUCCESS']);
});

it("the API's errors surface as ApiError with the contract's code", async () => {
  const [max] = (await members()).filter((m) => m.email === 'max@demo.example');
  await expect(member.run(CreateGroupDocument, { input: { workspaceId, name: 'Not mine to make' } })).rejects.toMatchObject({
    name: 'ApiError',
    code: 'FORBIDDEN',
  });
  const notFound = await admin.run(RemoveUserDocument, { input: { workspaceId, userId: NO_SUCH_ID } }).catch((e: unknown) => e);
  expect(notFound).toBeInstanceOf(ApiError);
  expect(notFound).toMatchObject({ code: 'NOT_FOUND' });
  // Failed mutations change nothing.
  expect((await members()).find((m) => m.id === max.id)?.status).toBe('JOINED');
});

/** Runs codegen with the committed config on each schema text (in a child: its CLI is ESM). */
function codegen(schemas: string[]): Promise<Array<{ error?: string; files?: Array<{ filename: string; content: string }> }>> {
  const script = `
    import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
    const { config } = await loadCodegenConfig({ configFilePath: 'examples/web-client/codegen.ts' });
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const results = [];
    for (const schema of JSON.parse(input)) {
      try { results.push({ files: await generate({ ...config, schema, silent: true }, false) }); } catch (e) { results.push({ error: e.message }); }
    }
    process.stdout.write('\\n' + JSON.stringify(results));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.lastIndexOf('\n') + 1))) : reject(new Error(`codegen exited ${code}`))));
    child.stdin.end(JSON.stringify(schemas));
  });
}

it("codegen (CI's guard) rejects a schema that breaks an operation, and reproduces the committed files from this one", async () => {
  const schema = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
  const edit = (from: string, to: string) => {
    expect(schema).toContain(from);
    return schema.replace(from, to);
  };
  const [same, removed, retyped, noEnumValue] = await codegen([
    schema,
    edit('  endCursor: String\n', ''),
    edit('users(after: String, filter: UserFilter, first: Int = 50', 'users(after: String, filter: UserFilter, first: String'),
    edit('enum UserOrderField {\n  EMAIL\n  INVITED_AT\n  JOINED_AT\n  NAME\n', 'enum UserOrderField {\n  EMAIL\n  INVITED_AT\n  JOINED_AT\n'),
  ]);
  expect(same.error).toBeUndefined();
  // A difference here is what CI's --check fails on: run `npm run codegen`.
  for (const file of same.files ?? []) expect(file.content).toBe(readFileSync(join(ROOT, file.filename), 'utf8'));
  expect(same.files?.length).toBeGreaterThan(0);
  expect(removed.error).toMatch(/Cannot query field "endCursor" on type "PageInfo"/);
  expect(retyped.error).toMatch(/Variable "\$first" of type "Int" used in position expecting type "String"/);
  expect(noEnumValue.error).toMatch(/Value "NAME" does not exist in "UserOrderField" enum/);
});
