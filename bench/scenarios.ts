/**
 * The read scenarios, as each target asks them, and how each answer is reduced to the same
 * normal form so that answers can be compared: no peer wins by doing less.
 */
export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S5-MEMBER' | 'S5-WFM';
/** S5: S1's page asked by a non-admin; the seed's first JOINED person of that role. */
export type ViewerRole = 'ADMIN' | 'MEMBER' | 'WORKFORCE_MANAGER';
export const S5_VIEWER: Partial<Record<ScenarioId, ViewerRole>> = { 'S5-MEMBER': 'MEMBER', 'S5-WFM': 'WORKFORCE_MANAGER' };
/** The scenarios whose answer is S1's page (of some viewer). */
export const isUsersPage = (s: ScenarioId) => s === 'S1' || s in S5_VIEWER;
export type TargetId = 'service' | 'postgraphile' | 'floor' | 'graphqljs';

export const SCENARIOS: Record<ScenarioId, string> = {
  S1: 'workspace { users(first: 100) { nodes { email role groups { name } assignments { role resource { name } } } } } as an ADMIN',
  S2: '{ viewer { id } }',
  S3: 'workspace { jobs(first: 50, filter: {statuses: [PROCESSING]}) { nodes { id type status progress user { email } } } }',
  'S5-MEMBER': 'S1 as a MEMBER',
  'S5-WFM': 'S1 as a WORKFORCE_MANAGER',
};

/** Which targets run which scenario. */
export const PLAN: Record<ScenarioId, TargetId[]> = {
  S1: ['service', 'postgraphile', 'floor'],
  S2: ['service', 'graphqljs', 'postgraphile', 'floor'],
  S3: ['service', 'postgraphile', 'floor'],
  'S5-MEMBER': ['service'],
  'S5-WFM': ['service'],
};

export interface Request {
  path: string;
  body: string;
  /** Sends a bearer token: the ADMIN's, or `viewer`'s. */
  auth: boolean;
  viewer?: ViewerRole;
}

const gql = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

export function requestFor(target: TargetId, scenario: ScenarioId, workspaceId: string): Request {
  const ws = { ws: workspaceId };
  switch (target) {
    case 'service':
    case 'graphqljs':
      if (scenario === 'S2') return { path: '/graphql', auth: true, body: gql('{ viewer { id } }') };
      if (target === 'graphqljs') throw new Error('graphql-js serves S2 only');
      if (isUsersPage(scenario)) {
        return {
          path: '/graphql',
          auth: true,
          viewer: S5_VIEWER[scenario] ?? 'ADMIN',
          body: gql(
            `query S1($ws: ID!) { workspace(id: $ws) { users(first: 100) { nodes { email role groups { name } assignments { role resource { name } } } } } }`,
            ws,
          ),
        };
      }
      return {
        path: '/graphql',
        auth: true,
        body: gql(
          `query S3($ws: ID!) { workspace(id: $ws) { jobs(first: 50, filter: {statuses: [PROCESSING]}) { nodes { id type status progress user { email } } } } }`,
          ws,
        ),
      };
    case 'postgraphile':
      // The same tables through their foreign keys. Memberships are ordered by user id, which
      // the seed makes agree with email, name and invitation order. Nested lists come in key
      // order: the comparison sorts them.
      if (scenario === 'S1') {
        return {
          path: '/graphql',
          auth: false,
          body: gql(
            `query S1($ws: UUID!) { allMemberships(condition: {workspaceId: $ws, removedAt: null}, orderBy: [USER_ID_ASC], first: 100) { nodes { role userByUserId { email groupMembersByUserId { nodes { groupByGroupId { name resourceGroupRolesByGroupId { nodes { role resourceByResourceId { name } } } } } } resourceUserRolesByUserId { nodes { role resourceByResourceId { name } } } } } } }`,
            ws,
          ),
        };
      }
      if (scenario === 'S2') return { path: '/graphql', auth: false, body: gql('{ __typename }') };
      return {
        path: '/graphql',
        auth: false,
        body: gql(
          `query S3($ws: UUID!) { allJobs(condition: {workspaceId: $ws, status: "PROCESSING"}, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC], first: 50) { nodes { rowId type status progress userByUserId { email } } } }`,
          ws,
        ),
      };
    case 'floor':
      return { path: `/${scenario.toLowerCase()}`, auth: scenario === 'S2', body: JSON.stringify(ws) };
  }
}

/** The normal form of S1: the page's people in order; each one's groups and assignments sorted. */
export interface S1Person {
  email: string;
  role: string;
  groups: string[];
  assignments: string[];
}
export interface S3Job {
  id: string;
  type: string;
  status: string;
  progress: number;
  email: string;
}

const sorted = (xs: string[]) => [...xs].sort();

/** Throws when the answer carries GraphQL errors or lacks the data. */
export function normalise(target: TargetId, scenario: ScenarioId, answer: any): unknown {
  if (answer?.errors) throw new Error(`${target} ${scenario} answered errors: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  const data = answer?.data;
  if (!data) throw new Error(`${target} ${scenario} answered no data: ${JSON.stringify(answer).slice(0, 300)}`);
  if (scenario === 'S2') return target === 'postgraphile' ? { typename: data.__typename } : { viewer: data.viewer.id };
  if (target === 'postgraphile') {
    if (scenario === 'S1') {
      return data.allMemberships.nodes.map((m: any): S1Person => {
        const groups = m.userByUserId.groupMembersByUserId.nodes.map((n: any) => n.groupByGroupId);
        return {
          email: m.userByUserId.email,
          role: m.role,
          groups: sorted(groups.map((g: any) => g.name)),
          assignments: sorted([
            ...m.userByUserId.resourceUserRolesByUserId.nodes.map((a: any) => `${a.role}|${a.resourceByResourceId.name}`),
            ...groups.flatMap((g: any) => g.resourceGroupRolesByGroupId.nodes.map((a: any) => `${a.role}|${a.resourceByResourceId.name}`)),
          ]),
        };
      });
    }
    return data.allJobs.nodes.map((j: any): S3Job => ({
      id: j.rowId, type: j.type, status: j.status, progress: j.progress, email: j.userByUserId.email,
    }));
  }
  if (isUsersPage(scenario)) {
    return data.workspace.users.nodes.map((u: any): S1Person => ({
      email: u.email,
      role: u.role,
      groups: sorted(u.groups.map((g: any) => g.name)),
      assignments: sorted(u.assignments.map((a: any) => `${a.role}|${a.resource.name}`)),
    }));
  }
  return data.workspace.jobs.nodes.map((j: any): S3Job => ({
    id: j.id, type: j.type, status: j.status, progress: j.progress, email: j.user.email,
  }));
}

/** A short description of the first difference, or null when equal. */
export function difference(a: unknown, b: unknown): string | null {
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  if (sa === sb) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${a.length} items vs ${b.length}`;
    const i = a.findIndex((x, k) => JSON.stringify(x) !== JSON.stringify(b[k]));
    return `item ${i}: ${JSON.stringify(a[i]).slice(0, 300)} vs ${JSON.stringify(b[i]).slice(0, 300)}`;
  }
  return `${sa.slice(0, 200)} vs ${sb.slice(0, 200)}`;
}

/** What one answer holds, for the report. */
export function describe(scenario: ScenarioId, normal: unknown): string {
  if (isUsersPage(scenario)) {
    const people = normal as S1Person[];
    const groups = people.reduce((n, p) => n + p.groups.length, 0);
    const assignments = people.reduce((n, p) => n + p.assignments.length, 0);
    return `${people.length} people, ${groups} group entries, ${assignments} assignments`;
  }
  if (scenario === 'S3') return `${(normal as S3Job[]).length} jobs`;
  return JSON.stringify(normal);
}

/**
 * Whether a non-admin's page (S5) is part of the ADMIN's (S1): every person on it is on the
 * ADMIN's page (the ADMIN's first 100 cover everyone in email order up to the last of them) with
 * the same role, and shows only groups and assignments the ADMIN sees too. null when it is.
 */
export function notPartOf(part: S1Person[], whole: S1Person[]): string | null {
  const byEmail = new Map(whole.map((p) => [p.email, p]));
  const last = whole[whole.length - 1]?.email ?? '';
  for (const p of part) {
    const w = byEmail.get(p.email);
    if (!w) {
      if (p.email > last) continue; // past the ADMIN's page: it may hold anyone
      return `${p.email} is not on the ADMIN's page`;
    }
    if (w.role !== p.role) return `${p.email}: role ${p.role}, the ADMIN sees ${w.role}`;
    const extra = (mine: string[], theirs: string[]) => mine.find((x) => !theirs.includes(x));
    const g = extra(p.groups, w.groups);
    if (g) return `${p.email}: group ${g} the ADMIN does not see`;
    const a = extra(p.assignments, w.assignments);
    if (a) return `${p.email}: assignment ${a} the ADMIN does not see`;
  }
  return null;
}
