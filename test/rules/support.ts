import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { addMember, signIn, type Person, type Role } from '../support/fixtures';
import type { GqlResult, TestServer } from '../support/harness';

/**
 * Helpers of the test/rules/ files: regression tests of issue 13 ("One rule everywhere") and of
 * the product decisions taken for it, written from docs/permissions.md and
 * the API (schema.graphql, docs/api.md). Every failure says what was expected and what came back.
 */

export type { Person, Role };

/** What came back, in a line: the errors (code, field, path, message) or the data. */
export function answer(res: GqlResult): string {
  if (res.errors?.length) {
    return JSON.stringify(
      res.errors.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field, path: e.path, message: e.message })),
    ).slice(0, 1500);
  }
  return `success ${JSON.stringify(res.data)}`.slice(0, 1500);
}

/** The data of a result that must have succeeded; fails with what came back otherwise. */
export function ok<T = any>(res: GqlResult<T>, what: string): T {
  if (res.errors?.length || !res.data) throw new Error(`${what}: expected success, got ${answer(res)}`);
  return res.data;
}

/** Fails unless the result is refused with `code` (and, when given, extensions.field = `field`). */
export function refused(res: GqlResult, code: string, what: string, field?: string): NonNullable<GqlResult['errors']>[number] {
  const first = res.errors?.[0];
  const got = first?.extensions?.code;
  if (got !== code || (field !== undefined && first?.extensions?.field !== field)) {
    throw new Error(`${what}: expected ${code}${field !== undefined ? ` with extensions.field = ${field}` : ''}, got ${answer(res)}`);
  }
  return first!;
}

/** Fails unless the result is refused with any error (for refusals whose code the documents leave open). */
export function refusedAnyhow(res: GqlResult, what: string): void {
  if (!res.errors?.length) throw new Error(`${what}: expected a refusal, got ${answer(res)}`);
}

/** Fails with both sides printed unless `actual` deep-equals `expected`. */
export function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(sortKeys(actual));
  const e = JSON.stringify(sortKeys(expected));
  if (a !== e) throw new Error(`${what}:\n  expected ${e.slice(0, 2000)}\n  got      ${a.slice(0, 2000)}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as any)[k])]));
  return v;
}

/**
 * Everything a workspace holds, read straight from the tables: a refused mutation must leave
 * it exactly as it was (`unchanged`). Rows are read whole (SELECT *), so new columns count too.
 */
export async function workspaceState(server: TestServer, workspaceId: string): Promise<Record<string, unknown[]>> {
  const q = (sql: string) => server.db.query(sql, [workspaceId]);
  return {
    workspace: await q(`SELECT * FROM workspaces WHERE id = $1`),
    memberships: await q(`SELECT * FROM memberships WHERE workspace_id = $1 ORDER BY user_id`),
    resources: await q(`SELECT * FROM resources WHERE workspace_id = $1 ORDER BY id`),
    userRoles: await q(`SELECT * FROM resource_user_roles WHERE workspace_id = $1 ORDER BY resource_id, user_id`),
    groupRoles: await q(`SELECT * FROM resource_group_roles WHERE workspace_id = $1 ORDER BY resource_id, group_id`),
    groups: await q(`SELECT * FROM groups WHERE workspace_id = $1 ORDER BY id`),
    groupMembers: await q(`SELECT gm.* FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE g.workspace_id = $1 ORDER BY gm.group_id, gm.user_id`),
    groupManagers: await q(`SELECT gm.* FROM group_managers gm JOIN groups g ON g.id = gm.group_id WHERE g.workspace_id = $1 ORDER BY gm.group_id, gm.user_id`),
    projectTags: await q(`SELECT * FROM project_tags WHERE workspace_id = $1 ORDER BY id`),
    issueTags: await q(`SELECT * FROM issue_tags WHERE workspace_id = $1 ORDER BY id`),
    apiKeys: await q(`SELECT id, user_id, name, revoked_at FROM api_keys WHERE workspace_id = $1 ORDER BY id`),
    jobs: await q(`SELECT * FROM jobs WHERE workspace_id = $1 ORDER BY id`),
    storageFolders: await q(`SELECT * FROM storage_folders WHERE workspace_id = $1 ORDER BY id`),
    audit: await q(`SELECT id, action, actor_id, target_id FROM audit_log WHERE workspace_id = $1 ORDER BY id`),
  };
}

/** Fails, naming the tables that changed and how, unless the workspace is as `before`. */
export async function unchanged(server: TestServer, workspaceId: string, before: Record<string, unknown[]>, what: string): Promise<void> {
  const now = await workspaceState(server, workspaceId);
  const changed = Object.keys(before).filter((t) => JSON.stringify(sortKeys(before[t])) !== JSON.stringify(sortKeys(now[t])));
  if (changed.length) {
    const detail = changed.map((t) => `  ${t}:\n    before ${JSON.stringify(sortKeys(before[t])).slice(0, 800)}\n    after  ${JSON.stringify(sortKeys(now[t])).slice(0, 800)}`);
    throw new Error(`${what}: a refused mutation must change nothing, but these changed:\n${detail.join('\n')}`);
  }
}

/** Replaces the given ids by names, so that two answers about different ids can be compared. */
export function masked(res: GqlResult, ids: Record<string, string>): string {
  let text = JSON.stringify({ errors: res.errors?.map((e) => ({ message: e.message, extensions: e.extensions, path: e.path })) ?? null, data: res.data ?? null });
  for (const [name, id] of Object.entries(ids)) text = text.split(id).join(`<${name}>`);
  return text;
}

// ---- Setup through SQL, where the API cannot (or the subject is something else) --------------

export const uid = () => randomUUID().slice(0, 8);

/** A person of `role` (JOINED unless said) with an internal (acme.test) email. */
export function person(server: TestServer, workspaceId: string, role: Role, status: 'INVITED' | 'DECLINED' | 'JOINED' = 'JOINED', email?: string): Promise<Person> {
  return addMember(server, workspaceId, role, status, email);
}

/** A resource made in SQL, with these direct ADMINs. */
export async function resource(server: TestServer, workspaceId: string, type: 'PROJECT' | 'DATASET' | 'ONTOLOGY', name: string, adminIds: string[]): Promise<string> {
  const id = randomUUID();
  await server.db.query(`INSERT INTO resources (id, workspace_id, type, name, created_by) VALUES ($1, $2, $3, $4, $5)`, [id, workspaceId, type, name, adminIds[0] ?? null]);
  for (const userId of adminIds) await grant(server, workspaceId, id, userId, 'ADMIN');
  return id;
}

/** A direct role, in SQL. */
export async function grant(server: TestServer, workspaceId: string, resourceId: string, userId: string, role: string): Promise<void> {
  await server.db.query(
    `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (resource_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [resourceId, userId, workspaceId, role],
  );
}

const columns = new Map<string, boolean>();

/** Whether a table has a column (the schema is changing under issue 13: setup SQL follows it). */
export async function hasColumn(server: TestServer, table: string, column: string): Promise<boolean> {
  const key = `${table}.${column}`;
  if (!columns.has(key)) {
    const rows = await server.db.query(`SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`, [table, column]);
    columns.set(key, rows.length > 0);
  }
  return columns.get(key)!;
}

/** A group made in SQL: its members and managers, its creator, and roles it holds on resources. */
export async function group(
  server: TestServer,
  workspaceId: string,
  opts: { name?: string; members?: string[]; managers?: string[]; createdBy?: string | null; roles?: Array<[string, string]> } = {},
): Promise<string> {
  const id = randomUUID();
  const name = opts.name ?? `Group ${uid()}`;
  if (await hasColumn(server, 'groups', 'name_key')) {
    // The schema keeps the key names compare by (NFKC, trimmed, case-folded) beside the name.
    const key = name.normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');
    await server.db.query(`INSERT INTO groups (id, workspace_id, name, name_key, created_by) VALUES ($1, $2, $3, $4, $5)`, [id, workspaceId, name, key, opts.createdBy ?? null]);
  } else {
    await server.db.query(`INSERT INTO groups (id, workspace_id, name, created_by) VALUES ($1, $2, $3, $4)`, [id, workspaceId, name, opts.createdBy ?? null]);
  }
  for (const userId of opts.members ?? []) await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [id, userId]);
  for (const userId of opts.managers ?? []) await server.db.query(`INSERT INTO group_managers (group_id, user_id) VALUES ($1, $2)`, [id, userId]);
  for (const [resourceId, role] of opts.roles ?? []) {
    await server.db.query(`INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) VALUES ($1, $2, $3, $4)`, [resourceId, id, workspaceId, role]);
  }
  return id;
}

export async function membership(server: TestServer, workspaceId: string, userId: string): Promise<{ role: string; status: string; removed_at: Date | null } | undefined> {
  const [row] = await server.db.query(`SELECT role, status, removed_at FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]);
  return row;
}

export async function directRole(server: TestServer, resourceId: string, userId: string): Promise<string | null> {
  const [row] = await server.db.query(`SELECT role FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [resourceId, userId]);
  return row?.role ?? null;
}

export async function groupMemberIds(server: TestServer, groupId: string): Promise<string[]> {
  return (await server.db.query(`SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id`, [groupId])).map((r: any) => r.user_id);
}

export async function groupManagerIds(server: TestServer, groupId: string): Promise<string[]> {
  return (await server.db.query(`SELECT user_id FROM group_managers WHERE group_id = $1 ORDER BY user_id`, [groupId])).map((r: any) => r.user_id);
}

export { signIn };

// ---- Operations --------------------------------------------------------------------------

export const Q = {
  createGroup: `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id name } }`,
  updateGroup: `mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id name } }`,
  deleteGroup: `mutation($id: ID!) { deleteGroup(groupId: $id) }`,
  addGroupMembers: `mutation($input: GroupUsersInput!) { addGroupMembers(input: $input) { id } }`,
  removeGroupMembers: `mutation($input: GroupUsersInput!) { removeGroupMembers(input: $input) { id } }`,
  addGroupManagers: `mutation($input: GroupUsersInput!) { addGroupManagers(input: $input) { id } }`,
  removeGroupManagers: `mutation($input: GroupUsersInput!) { removeGroupManagers(input: $input) { id } }`,
  assignUser: `mutation($input: AssignUserInput!) { assignUser(input: $input) { resource { id } role } }`,
  unassignUser: `mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`,
  assignGroup: `mutation($input: AssignGroupInput!) { assignGroup(input: $input) { resource { id } role } }`,
  unassignGroup: `mutation($input: UnassignGroupInput!) { unassignGroup(input: $input) }`,
  removeUser: `mutation($input: RemoveUserInput!) { removeUser(input: $input) { removedUserId reassigned { id type name } } }`,
  changeUserRole: `mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { id role status } }`,
  createProjectTag: `mutation($input: CreateTagInput!) { createProjectTag(input: $input) { id name } }`,
  createIssueTag: `mutation($input: CreateIssueTagInput!) { createIssueTag(input: $input) { id name } }`,
  createApiKey: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`,
  startJob: `mutation($input: StartJobInput!) { startJob(input: $input) { id status } }`,
  cancelJob: `mutation($id: ID!) { cancelJob(jobId: $id) { id status } }`,
  failJob: `mutation($input: FailJobInput!) { failJob(input: $input) { id status } }`,
  retryJob: `mutation($id: ID!) { retryJob(jobId: $id) { id status } }`,
  reportJobProgress: `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id progress } }`,
  createProject: `mutation($input: CreateResourceInput!) { createProject(input: $input) { id } }`,
  createDataset: `mutation($input: CreateResourceInput!) { createDataset(input: $input) { id } }`,
};

export const FEED = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status job { id status } } }`;

/** The feed's current position for a person. */
export async function feedCursor(server: TestServer, viewer: Person, workspaceId: string): Promise<string> {
  const res = await server.gql(`query($w: ID!) { workspace(id: $w) { jobs(first: 0) { eventCursor } } }`, { w: workspaceId }, viewer.token);
  return ok(res, 'reading the feed position').workspace.jobs.eventCursor;
}

/** A live subscription that keeps what it receives, and a way to wait for what must come. */
export function follow(client: Client, query: string, variables: Record<string, unknown>) {
  const events: any[] = [];
  const errors: unknown[] = [];
  let ended = false;
  client.subscribe<any>(
    { query, variables },
    {
      next: (r) => (r.errors ? errors.push(...r.errors) : events.push(r.data)),
      error: (e) => errors.push(e),
      complete: () => void (ended = true),
    },
  );
  return {
    events,
    errors,
    /** Waits until `test` holds (polling what arrived); fails after `ms` saying what was awaited and what arrived. */
    async waitFor(test: () => boolean, what: string, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) {
          throw new Error(`waited ${ms} ms for ${what}; received ${JSON.stringify(events).slice(0, 1500)}; errors ${JSON.stringify(errors).slice(0, 500)}; ended: ${ended}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Resolves with the close code of a graphql-ws client's socket (register before it connects). */
export function closeCodeOf(server: TestServer, token: string): { client: Client; connected: Promise<void>; closed: Promise<number> } {
  let onConnected!: () => void;
  let onClosed!: (code: number) => void;
  const connected = new Promise<void>((r) => (onConnected = r));
  const closed = new Promise<number>((r) => (onClosed = r));
  // Not lazy: the socket opens now and stays open until the server closes it or the test ends.
  const client = server.ws(token, {
    lazy: false,
    onNonLazyError: () => undefined,
    on: { connected: () => onConnected(), closed: (event: any) => onClosed(event?.code) },
  });
  return { client, connected, closed };
}

/** Waits for a promise, failing with `what` after `ms` (a wait, not a timed assertion). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
