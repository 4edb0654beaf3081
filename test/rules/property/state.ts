import type { TestServer } from '../../support/harness';

/**
 * The raw tables of one workspace, read straight from the database after every step. The
 * model (model.ts) recomputes every rule from these rows alone; nothing here comes from src/.
 */
export type WsRole = 'ADMIN' | 'MEMBER' | 'WORKFORCE_MANAGER' | 'TASKER';
export type Status = 'INVITED' | 'DECLINED' | 'JOINED' | 'REMOVED';
export type ResourceType = 'PROJECT' | 'DATASET' | 'ONTOLOGY';
export type ResourceRole = 'ADMIN' | 'TEAM_MANAGER' | 'REVIEWER' | 'ANNOTATOR' | 'ANNOTATOR_REVIEWER' | 'USER';
export type JobType = 'DATA_IMPORT' | 'MODEL_TRAINING' | 'LABEL_IMPORT';
export type JobStatus = 'PROCESSING' | 'SUCCESS' | 'ERROR' | 'CANCELLED';

/** A membership row (a person with no row is not in the workspace at all). */
export interface Membership {
  role: WsRole;
  status: Status;
  /** removed_at is set. */
  removedAt: boolean;
  /** Their email's domain is one of the workspace's internal domains. */
  internal: boolean;
}

export interface Job {
  type: JobType;
  status: JobStatus;
  startedBy: string;
  /** Its project or dataset. */
  resourceId: string | null;
  retryOf: string | null;
  /** jobs.cancelled_by; undefined while the table has no such column. */
  cancelledBy?: string | null;
}

export interface State {
  people: Map<string, Membership>;
  /** In creation order. */
  resources: Map<string, { type: ResourceType; name: string }>;
  /** resource -> user -> direct role. */
  direct: Map<string, Map<string, ResourceRole>>;
  /** resource -> group -> role. */
  groupRoles: Map<string, Map<string, ResourceRole>>;
  /** In creation order. */
  groups: Map<string, { name: string; createdBy: string | null }>;
  members: Map<string, Set<string>>;
  managers: Map<string, Set<string>>;
  /** In creation order. */
  jobs: Map<string, Job>;
  apiKeys: Map<string, { owner: string; live: boolean }>;
}

export async function readState(server: TestServer, workspaceId: string): Promise<State> {
  // One statement (one snapshot, one round trip): each table's rows as a JSON array.
  const rows = (sql: string) => `(SELECT coalesce(json_agg(x), '[]'::json) FROM (${sql}) x)`;
  const [snapshot] = await server.db.query(
    `SELECT
       ${rows(`SELECT m.user_id AS id, m.role, m.status, m.removed_at IS NOT NULL AS "removedAt",
                      split_part(lower(u.email), '@', 2) = ANY(w.internal_domains) AS internal
                 FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id
                WHERE m.workspace_id = $1`)} AS people,
       ${rows(`SELECT id, type, name FROM resources WHERE workspace_id = $1 ORDER BY created_at, id`)} AS resources,
       ${rows(`SELECT resource_id AS r, user_id AS u, role FROM resource_user_roles WHERE workspace_id = $1`)} AS direct,
       ${rows(`SELECT resource_id AS r, group_id AS g, role FROM resource_group_roles WHERE workspace_id = $1`)} AS "groupRoles",
       ${rows(`SELECT id, name, created_by AS "createdBy" FROM groups WHERE workspace_id = $1 ORDER BY created_at, id`)} AS groups,
       ${rows(`SELECT x.group_id AS g, x.user_id AS u FROM group_members x JOIN groups g ON g.id = x.group_id WHERE g.workspace_id = $1`)} AS members,
       ${rows(`SELECT x.group_id AS g, x.user_id AS u FROM group_managers x JOIN groups g ON g.id = x.group_id WHERE g.workspace_id = $1`)} AS managers,
       ${rows(`SELECT to_jsonb(j) AS j FROM jobs j WHERE j.workspace_id = $1 ORDER BY j.created_at, j.id`)} AS jobs,
       ${rows(`SELECT id, user_id AS owner, revoked_at IS NULL AS live FROM api_keys WHERE workspace_id = $1`)} AS keys`,
    [workspaceId],
  );
  const json = (value: unknown): any[] => (typeof value === 'string' ? JSON.parse(value) : (value as any[]));
  const [people, resources, direct, groupRoles, groups, members, managers, jobs, keys] = [
    'people', 'resources', 'direct', 'groupRoles', 'groups', 'members', 'managers', 'jobs', 'keys',
  ].map((k) => json(snapshot[k]));
  const nested = (rows: any[], k: string) => {
    const out = new Map<string, Map<string, ResourceRole>>();
    for (const row of rows) out.set(row.r, (out.get(row.r) ?? new Map()).set(row[k], row.role));
    return out;
  };
  const sets = (rows: any[]) => {
    const out = new Map<string, Set<string>>();
    for (const row of rows) out.set(row.g, (out.get(row.g) ?? new Set()).add(row.u));
    return out;
  };
  const job = (j: any): [string, Job] => [
    j.id,
    {
      type: j.type,
      status: j.status,
      startedBy: j.user_id,
      resourceId: j.project_id ?? j.dataset_id ?? null,
      retryOf: j.retry_of ?? null,
      ...('cancelled_by' in j ? { cancelledBy: j.cancelled_by } : {}),
    },
  ];
  return {
    people: new Map(people.map((p) => [p.id, { role: p.role, status: p.status, removedAt: p.removedAt, internal: p.internal }])),
    resources: new Map(resources.map((r) => [r.id, { type: r.type, name: r.name }])),
    direct: nested(direct, 'u'),
    groupRoles: nested(groupRoles, 'g'),
    groups: new Map(groups.map((g) => [g.id, { name: g.name, createdBy: g.createdBy }])),
    members: sets(members),
    managers: sets(managers),
    jobs: new Map(jobs.map((row) => job(typeof row.j === 'string' ? JSON.parse(row.j) : row.j))),
    apiKeys: new Map(keys.map((k) => [k.id, { owner: k.owner, live: k.live }])),
  };
}

/** A deep copy, to build the state a step should leave. */
export function copyState(s: State): State {
  const nested = <V>(m: Map<string, Map<string, V>>) => new Map([...m].map(([k, v]) => [k, new Map(v)]));
  const sets = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, new Set(v)]));
  const rows = <V extends object>(m: Map<string, V>) => new Map([...m].map(([k, v]) => [k, { ...v }]));
  return {
    people: rows(s.people),
    resources: rows(s.resources),
    direct: nested(s.direct),
    groupRoles: nested(s.groupRoles),
    groups: rows(s.groups),
    members: sets(s.members),
    managers: sets(s.managers),
    jobs: rows(s.jobs),
    apiKeys: rows(s.apiKeys),
  };
}

/**
 * A plain, ordered form of a state for comparing two of them: empty role maps and empty
 * groups' sets are the same as none. Group names compare as names do (nameKey).
 */
export function plain(s: State, nameKey: (name: string) => string): Record<string, unknown> {
  const sorted = <T>(entries: Array<[string, T]>) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const nonEmpty = <V extends { size: number }>(m: Map<string, V>) => [...m].filter(([, v]) => v.size > 0);
  return {
    people: sorted([...s.people]),
    resources: sorted([...s.resources].map(([id, r]) => [id, r.type])),
    direct: sorted(nonEmpty(s.direct).map(([r, m]) => [r, sorted([...m])])),
    groupRoles: sorted(nonEmpty(s.groupRoles).map(([r, m]) => [r, sorted([...m])])),
    groups: sorted([...s.groups].map(([id, g]) => [id, { name: nameKey(g.name), createdBy: g.createdBy }])),
    members: sorted(nonEmpty(s.members).map(([g, m]) => [g, [...m].sort()])),
    managers: sorted(nonEmpty(s.managers).map(([g, m]) => [g, [...m].sort()])),
    jobs: sorted([...s.jobs]),
    apiKeys: sorted([...s.apiKeys]),
  };
}
