import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { addMember, createWorkspace, type Person, type Role } from '../support/fixtures';
import { errorCode, startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { ASSIGN_GROUP, ASSIGN_USER, CREATE_GROUP, TYPE_NAME, UNASSIGN_GROUP, UNASSIGN_USER, type ResourceRole, type ResourceType } from '../resources/fixtures';

/**
 * Property: long random sequences of resource, role and group mutations by random actors,
 * through the API. After every step, from the raw tables (recomputed here, independently of
 * the service's code):
 *   - every resource has a direct ADMIN;
 *   - every group manager is an internal user;
 *   - every JOINED viewer sees exactly the resources (with their effective role), the groups,
 *     and the managers the rules of PERMISSIONS.md give them;
 * and every mutation's outcome (done, or its error code) is the one the rules predict.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 9);
const STEPS = { minLength: 25, maxLength: 50 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_OPERATIONS: '0' });
});
afterAll(() => server.close());

const TYPES: ResourceType[] = ['PROJECT', 'DATASET', 'ONTOLOGY'];
const ROLES: ResourceRole[] = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER', 'USER'];
const FITS: Record<ResourceType, ResourceRole[]> = { PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'], DATASET: ['ADMIN', 'USER'], ONTOLOGY: ['ADMIN', 'USER'] };
const RANK: Record<ResourceRole, number> = { ADMIN: 5, TEAM_MANAGER: 4, ANNOTATOR_REVIEWER: 3, REVIEWER: 2, ANNOTATOR: 2, USER: 1 };
const NAMES = ['Alpha', ' alpha', 'Beta', 'GAMMA ', 'gamma'];
const KINDS = [
  'createResource', 'assignUser', 'assignUser', 'assignUser', 'unassignUser', 'unassignUser',
  'createGroup', 'updateGroup', 'deleteGroup', 'addGroupMembers', 'addGroupMembers', 'removeGroupMembers',
  'addGroupManagers', 'removeGroupManagers', 'assignGroup', 'assignGroup', 'unassignGroup',
] as const;
type Kind = (typeof KINDS)[number];

interface Step {
  kind: Kind;
  actor: number;
  user: number;
  users: number[];
  type: ResourceType;
  resources: number[];
  role: ResourceRole;
  group: number;
  name: string;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...KINDS),
  // The workspace ADMIN (person 0) acts often, so that states grow rich enough for the others' rules to matter.
  actor: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat() }),
  user: fc.nat(),
  users: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  type: fc.constantFrom(...TYPES),
  resources: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  role: fc.constantFrom(...ROLES),
  group: fc.nat(),
  name: fc.constantFrom(...NAMES),
});

/** The raw tables of one workspace. */
interface State {
  role: Map<string, Role>;
  status: Map<string, string>;
  internal: Set<string>;
  resources: Array<{ id: string; type: ResourceType }>;
  direct: Map<string, Map<string, ResourceRole>>; // resource -> user -> role
  groupRoles: Map<string, Map<string, ResourceRole>>; // resource -> group -> role
  groups: Array<{ id: string; name: string; createdBy: string | null }>;
  members: Map<string, Set<string>>;
  managers: Map<string, Set<string>>;
}

async function snapshot(workspaceId: string): Promise<State> {
  const q = (sql: string) => server.db.query(sql, [workspaceId]);
  const [people, resources, direct, groupRoles, groups, members, managers] = await Promise.all([
    q(`SELECT m.user_id AS id, m.role, m.status, split_part(u.email, '@', 2) = ANY(w.internal_domains) AS internal
         FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id WHERE m.workspace_id = $1 AND m.removed_at IS NULL`),
    q(`SELECT id, type FROM resources WHERE workspace_id = $1 ORDER BY created_at, id`),
    q(`SELECT resource_id AS r, user_id AS u, role FROM resource_user_roles WHERE workspace_id = $1`),
    q(`SELECT resource_id AS r, group_id AS g, role FROM resource_group_roles WHERE workspace_id = $1`),
    q(`SELECT id, name, created_by AS "createdBy" FROM groups WHERE workspace_id = $1 ORDER BY created_at, id`),
    q(`SELECT x.group_id AS g, x.user_id AS u FROM group_members x JOIN groups g ON g.id = x.group_id WHERE g.workspace_id = $1`),
    q(`SELECT x.group_id AS g, x.user_id AS u FROM group_managers x JOIN groups g ON g.id = x.group_id WHERE g.workspace_id = $1`),
  ]);
  const nested = <V>(rows: any[], k1: string, k2: string, v: string) => {
    const out = new Map<string, Map<string, V>>();
    for (const row of rows) out.set(row[k1], (out.get(row[k1]) ?? new Map()).set(row[k2], row[v]));
    return out;
  };
  const sets = (rows: any[]) => {
    const out = new Map<string, Set<string>>();
    for (const row of rows) out.set(row.g, (out.get(row.g) ?? new Set()).add(row.u));
    return out;
  };
  return {
    role: new Map(people.map((p: any) => [p.id, p.role])),
    status: new Map(people.map((p: any) => [p.id, p.status])),
    internal: new Set(people.filter((p: any) => p.internal).map((p: any) => p.id)),
    resources,
    direct: nested(direct, 'r', 'u', 'role'),
    groupRoles: nested(groupRoles, 'r', 'g', 'role'),
    groups,
    members: sets(members),
    managers: sets(managers),
  };
}

// ---- The rules, recomputed from the raw tables -------------------------------------------
function effective(s: State, userId: string, resourceId: string): ResourceRole | null {
  const roles: ResourceRole[] = [];
  const d = s.direct.get(resourceId)?.get(userId);
  if (d) roles.push(d);
  for (const [groupId, role] of s.groupRoles.get(resourceId) ?? []) if (s.members.get(groupId)?.has(userId)) roles.push(role);
  if (roles.length === 0) return null;
  const top = Math.max(...roles.map((r) => RANK[r]));
  const best = roles.filter((r) => RANK[r] === top);
  // Equal ranks (REVIEWER = ANNOTATOR): the direct role wins, then ANNOTATOR.
  return best.includes(d as ResourceRole) ? d! : best.includes('ANNOTATOR') ? 'ANNOTATOR' : best[0];
}
const seesResource = (s: State, u: string, r: string) => s.role.get(u) === 'ADMIN' || effective(s, u, r) !== null;
const seesGroup = (s: State, u: string, g: string) =>
  ['ADMIN', 'WORKFORCE_MANAGER'].includes(s.role.get(u)!) || !!s.members.get(g)?.has(u) || !!s.managers.get(g)?.has(u);
const createdBy = (s: State, g: string) => s.groups.find((x) => x.id === g)?.createdBy ?? null;
const seesManagers = (s: State, u: string, g: string) =>
  s.role.get(u) === 'ADMIN' || !!s.managers.get(g)?.has(u) || (s.role.get(u) === 'WORKFORCE_MANAGER' && createdBy(s, g) === u);
const soleDirectAdmin = (s: State, u: string, r: string) => {
  const admins = [...(s.direct.get(r) ?? [])].filter(([, role]) => role === 'ADMIN').map(([id]) => id);
  return admins.length === 1 && admins[0] === u;
};
const nameKey = (n: string) => n.trim().toLowerCase();

type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'INVARIANT';

/** What the rules say a step must come to, from the state before it. */
function predict(s: State, step: Resolved): Outcome {
  const a = step.actor.id;
  if (s.status.get(a) !== 'JOINED') return 'NOT_FOUND';
  const role = s.role.get(a)!;
  const rs = step.resourceIds;
  switch (step.kind) {
    case 'createResource':
      return role === 'TASKER' ? 'FORBIDDEN' : 'ok';
    case 'assignUser':
    case 'unassignUser': {
      const newRole = step.kind === 'assignUser' ? step.role : null;
      if (role !== 'ADMIN') {
        if (rs.some((r) => !seesResource(s, a, r))) return 'NOT_FOUND';
        const may = rs.every((r) => {
          const eff = effective(s, a, r);
          return eff === 'ADMIN' || (step.type === 'PROJECT' && eff === 'TEAM_MANAGER' && newRole !== 'ADMIN' && s.direct.get(r)?.get(step.user.id) !== 'ADMIN');
        });
        if (!may) return 'FORBIDDEN';
      }
      if (newRole && !FITS[step.type].includes(newRole)) return 'BAD_USER_INPUT';
      const losing = rs.filter((r) => s.direct.get(r)?.get(step.user.id) === 'ADMIN' && newRole !== 'ADMIN');
      return losing.some((r) => soleDirectAdmin(s, step.user.id, r)) ? 'INVARIANT' : 'ok';
    }
    case 'assignGroup':
    case 'unassignGroup': {
      if (role !== 'ADMIN') {
        if (rs.some((r) => !seesResource(s, a, r))) return 'NOT_FOUND';
        if (!rs.every((r) => effective(s, a, r) === 'ADMIN')) return 'FORBIDDEN';
      }
      return step.kind === 'assignGroup' && !FITS[step.type].includes(step.role) ? 'BAD_USER_INPUT' : 'ok';
    }
    case 'createGroup': {
      if (role !== 'ADMIN' && role !== 'WORKFORCE_MANAGER') return 'FORBIDDEN';
      if (step.managerIds.some((u) => !s.internal.has(u))) return 'BAD_USER_INPUT';
      return s.groups.some((g) => nameKey(g.name) === nameKey(step.name)) ? 'CONFLICT' : 'ok';
    }
    case 'updateGroup':
    case 'deleteGroup': {
      const g = step.groupId!;
      if (!seesGroup(s, a, g)) return 'NOT_FOUND';
      if (!(role === 'ADMIN' || (role === 'WORKFORCE_MANAGER' && createdBy(s, g) === a))) return 'FORBIDDEN';
      if (step.kind === 'updateGroup' && s.groups.some((x) => x.id !== g && nameKey(x.name) === nameKey(step.name))) return 'CONFLICT';
      return 'ok';
    }
    case 'addGroupMembers':
    case 'removeGroupMembers': {
      const g = step.groupId!;
      if (!seesGroup(s, a, g)) return 'NOT_FOUND';
      const may = role === 'ADMIN' || !!s.managers.get(g)?.has(a) || (role === 'WORKFORCE_MANAGER' && createdBy(s, g) === a);
      return may ? 'ok' : 'FORBIDDEN';
    }
    case 'addGroupManagers':
    case 'removeGroupManagers': {
      const g = step.groupId!;
      if (!seesGroup(s, a, g)) return 'NOT_FOUND';
      if (role !== 'ADMIN') return 'FORBIDDEN';
      return step.kind === 'addGroupManagers' && step.userIds.some((u) => !s.internal.has(u)) ? 'BAD_USER_INPUT' : 'ok';
    }
  }
}

// ---- Running a step through the API ------------------------------------------------------
interface Resolved {
  kind: Kind;
  actor: Person;
  user: Person;
  userIds: string[];
  managerIds: string[];
  type: ResourceType;
  resourceIds: string[];
  role: ResourceRole;
  groupId: string | null;
  name: string;
}

/** Picks concrete people, resources and groups for a step from what exists now. */
function resolve(s: State, people: Person[], step: Step): Resolved {
  const pick = <T>(list: T[], i: number) => list[i % list.length];
  const ofType = s.resources.filter((r) => r.type === step.type).map((r) => r.id);
  let kind = step.kind;
  if (ofType.length === 0 && /ssign/.test(kind)) kind = 'createResource';
  if (s.groups.length === 0 && /Group/.test(kind) && kind !== 'createGroup') kind = 'createGroup';
  const userIds = [...new Set(step.users.map((i) => pick(people, i).id))];
  const resourceIds = [...new Set(step.resources.map((i) => pick(ofType, i)))].filter(Boolean);
  return {
    kind,
    actor: pick(people, step.actor),
    user: pick(people, step.user),
    userIds,
    managerIds: userIds.slice(0, 1),
    type: step.type,
    // unassign* name one resource
    resourceIds: kind.startsWith('unassign') ? resourceIds.slice(0, 1) : resourceIds,
    role: step.role,
    groupId: s.groups.length ? pick(s.groups, step.group).id : null,
    name: step.name,
  };
}

function run(workspaceId: string, r: Resolved): Promise<GqlResult> {
  const token = r.actor.token;
  const gql = (query: string, variables: Record<string, unknown>) => server.gql(query, variables, token);
  const people = (op: string) => gql(`mutation($input: GroupUsersInput!) { ${op}(input: $input) { id } }`, { input: { groupId: r.groupId, userIds: r.userIds } });
  switch (r.kind) {
    case 'createResource':
      return gql(`mutation($input: CreateResourceInput!) { create${TYPE_NAME[r.type]}(input: $input) { id } }`, { input: { workspaceId, name: `R ${randomUUID().slice(0, 4)}` } });
    case 'assignUser':
      return gql(ASSIGN_USER, { input: { workspaceId, userId: r.user.id, resourceType: r.type, resourceIds: r.resourceIds, role: r.role } });
    case 'unassignUser':
      return gql(UNASSIGN_USER, { input: { workspaceId, userId: r.user.id, resourceType: r.type, resourceId: r.resourceIds[0] } });
    case 'assignGroup':
      return gql(ASSIGN_GROUP, { input: { groupId: r.groupId, resourceType: r.type, resourceIds: r.resourceIds, role: r.role } });
    case 'unassignGroup':
      return gql(UNASSIGN_GROUP, { input: { groupId: r.groupId, resourceType: r.type, resourceId: r.resourceIds[0] } });
    case 'createGroup':
      return gql(CREATE_GROUP, { input: { workspaceId, name: r.name, memberIds: r.userIds, managerIds: r.managerIds } });
    case 'updateGroup':
      return gql(`mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }`, { input: { groupId: r.groupId, name: r.name } });
    case 'deleteGroup':
      return gql(`mutation($id: ID!) { deleteGroup(groupId: $id) }`, { id: r.groupId });
    default:
      return people(r.kind);
  }
}

const VIEW = `query($ws: ID!) { workspace(id: $ws) {
  projects(first: 100) { nodes { id viewerRole } totalCount }
  datasets(first: 100) { nodes { id viewerRole } totalCount }
  ontologies(first: 100) { nodes { id viewerRole } totalCount }
  groups { id managers { id } }
} }`;

/** What one viewer sees, against what the rules give them. */
async function checkViewer(s: State, workspaceId: string, viewer: Person): Promise<void> {
  const res = await server.gql(VIEW, { ws: workspaceId }, viewer.token);
  const ws = res.data!.workspace;
  for (const type of TYPES) {
    const field = { PROJECT: 'projects', DATASET: 'datasets', ONTOLOGY: 'ontologies' }[type];
    const seen = Object.fromEntries(ws[field].nodes.map((n: any) => [n.id, n.viewerRole]));
    const expected = Object.fromEntries(
      s.resources.filter((r) => r.type === type && seesResource(s, viewer.id, r.id)).map((r) => [r.id, effective(s, viewer.id, r.id)]),
    );
    expect(seen).toEqual(expected);
    expect(ws[field].totalCount).toBe(Object.keys(expected).length);
  }
  const groups = Object.fromEntries(ws.groups.map((g: any) => [g.id, g.managers?.map((m: any) => m.id).sort() ?? null]));
  const expectedGroups = Object.fromEntries(
    s.groups.filter((g) => seesGroup(s, viewer.id, g.id)).map((g) => [g.id, seesManagers(s, viewer.id, g.id) ? [...(s.managers.get(g.id) ?? [])].sort() : null]),
  );
  expect(groups).toEqual(expectedGroups);
  for (const error of res.errors ?? []) {
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.path?.at(-1)).toBe('managers');
  }
}

function checkInvariants(s: State): void {
  for (const r of s.resources) {
    expect([...(s.direct.get(r.id) ?? new Map()).values()]).toContain('ADMIN');
  }
  for (const [, managers] of s.managers) for (const m of managers) expect(s.internal.has(m)).toBe(true);
}

let stepsRun = 0;
const outcomes: Record<string, number> = {};

it('keeps the invariants, the outcomes and the views the rules give, over random sequences of mutations', async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, STEPS), async (steps) => {
      const { workspaceId, admin } = await createWorkspace(server, 'Prop', `admin-${randomUUID().slice(0, 6)}@acme.test`);
      const people: Person[] = [admin];
      const roles: Array<[Role, string, string]> = [
        ['MEMBER', 'JOINED', 'acme.test'],
        ['MEMBER', 'JOINED', 'partner.test'], // external
        ['WORKFORCE_MANAGER', 'JOINED', 'acme.test'],
        ['TASKER', 'JOINED', 'acme.test'],
        ['MEMBER', 'INVITED', 'acme.test'],
      ];
      for (const [role, status, domain] of roles) {
        people.push(await addMember(server, workspaceId, role, status as 'JOINED' | 'INVITED', `${role.toLowerCase()}-${randomUUID().slice(0, 6)}@${domain}`));
      }
      const viewers = people.filter((_p, i) => roles[i - 1]?.[1] !== 'INVITED');
      let state = await snapshot(workspaceId);
      for (const [i, step] of steps.entries()) {
        const resolved = resolve(state, people, step);
        const expected = predict(state, resolved);
        const res = await run(workspaceId, resolved);
        const actual = res.errors ? errorCode(res) : 'ok';
        if (actual !== expected) {
          throw new Error(`step ${i} ${resolved.kind} by ${state.role.get(resolved.actor.id)}: expected ${expected}, got ${actual} ${JSON.stringify(res.errors ?? res.data)}`);
        }
        outcomes[`${resolved.kind}:${actual}`] = (outcomes[`${resolved.kind}:${actual}`] ?? 0) + 1;
        state = await snapshot(workspaceId);
        checkInvariants(state);
        await checkViewer(state, workspaceId, viewers[i % viewers.length]);
        stepsRun++;
      }
      for (const viewer of viewers) await checkViewer(state, workspaceId, viewer);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  console.log(
    `access property: ${RUNS} sequences, ${stepsRun} steps in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      Object.entries(outcomes).sort().map(([k, n]) => `${k} ${n}`).join(', '),
  );
}, 180_000);
