import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn, type Role, type Status } from '../../support/fixtures';
import type { GqlResult, TestServer } from '../../support/harness';
import { readState, type State } from '../property/state';
import type { PoolPerson } from '../property/steps';
import { MUTATIONS } from './operations';

/**
 * One workspace of the test: making it (the pool of people and what setup makes through the
 * API), and reading what its tables hold beside property/state.ts (domains, job events, tags,
 * issues, the audit log).
 */

// ---- Making it ---------------------------------------------------------------------------------

/** The pool, as the sequential test's: p0 made the workspace (ADMIN); acme.test is internal. */
const POOL: Array<[Role | null, Status | null, string]> = [
  ['ADMIN', 'JOINED', 'acme.test'], // p1
  ['MEMBER', 'JOINED', 'acme.test'], // p2
  ['MEMBER', 'JOINED', 'partner.test'], // p3: external
  ['WORKFORCE_MANAGER', 'JOINED', 'acme.test'], // p4
  ['TASKER', 'JOINED', 'acme.test'], // p5
  ['TASKER', 'JOINED', 'partner.test'], // p6
  ['MEMBER', 'INVITED', 'acme.test'], // p7
  ['WORKFORCE_MANAGER', 'INVITED', 'acme.test'], // p8
  ['TASKER', 'DECLINED', 'acme.test'], // p9
  [null, null, 'acme.test'], // p10: not in the workspace (yet)
  [null, null, 'partner.test'], // p11: likewise
];

/** A workspace and its people. */
export interface World {
  workspaceId: string;
  pool: PoolPerson[];
  byId: Map<string, PoolPerson>;
  idOfEmail: (email: string) => string | undefined;
  /** API keys whose secret we know (made by setup or by an ok createApiKey). */
  keys: Map<string, { secret: string; owner: string }>;
}

/** The one field a setup mutation answers; throws if it did not answer. */
async function must(res: Promise<GqlResult>, what: string): Promise<any> {
  const r = await res;
  if (r.errors || !r.data) throw new Error(`setup: ${what} failed: ${JSON.stringify(r.errors ?? r)}`);
  return Object.values(r.data)[0];
}

/** A fresh workspace with the pool, and a few resources, groups with roles, jobs, keys, tags and an issue (through the API, one at a time). */
export async function newWorld(server: TestServer): Promise<World> {
  const tag = randomUUID().slice(0, 8);
  const { workspaceId, admin } = await createWorkspace(server, 'Concurrent', `p0-${tag}@acme.test`);
  const pool: PoolPerson[] = [{ ...admin, label: 'p0' }];
  for (const [i, [role, status, domain]] of POOL.entries()) {
    const email = `p${i + 1}-${tag}@${domain}`;
    const person = role && status ? await addMember(server, workspaceId, role, status, email) : await signIn(server, email);
    pool.push({ ...person, label: `p${i + 1}` });
  }
  const byId = new Map(pool.map((p) => [p.id, p]));
  const byEmail = new Map(pool.map((p) => [p.email.toLowerCase(), p.id]));
  const world: World = { workspaceId, pool, byId, idOfEmail: (e) => byEmail.get(e.toLowerCase()), keys: new Map() };
  const [p0, , p2, p3, p4, p5, p6, p7] = pool;
  const as = (p: PoolPerson, query: string, variables: Record<string, unknown>) => server.gql(query, variables, p.token);
  const create = async (p: PoolPerson, type: 'Project' | 'Dataset' | 'Ontology', name: string) =>
    (await must(as(p, `mutation($input: CreateResourceInput!) { create${type}(input: $input) { id } }`, { input: { workspaceId, name } }), `create${type}`)).id as string;
  const projectA = await create(p0, 'Project', 'Project A');
  const projectB = await create(p2, 'Project', 'Project B');
  const datasetA = await create(p0, 'Dataset', 'Dataset A');
  const datasetB = await create(p2, 'Dataset', 'Dataset B');
  await create(p0, 'Ontology', 'Ontology A');
  const assign = (userId: string, resourceType: string, resourceIds: string[], role: string) =>
    must(as(p0, `mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, { input: { workspaceId, userId, resourceType, resourceIds, role } }), 'assignUser');
  await assign(p2.id, 'PROJECT', [projectA], 'ADMIN');
  await assign(p3.id, 'PROJECT', [projectA, projectB], 'TEAM_MANAGER');
  await assign(p5.id, 'PROJECT', [projectA], 'ANNOTATOR');
  await assign(p7.id, 'DATASET', [datasetA], 'ADMIN');
  const group = async (p: PoolPerson, name: string, memberIds: string[], managerIds: string[]) =>
    (await must(as(p, `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, { input: { workspaceId, name, memberIds, managerIds } }), 'createGroup')).id as string;
  const g1 = await group(p0, 'Annotators', [p2.id, p5.id, p6.id, p7.id], [p4.id]);
  const g2 = await group(p4, 'Crew', [p5.id, p3.id], []);
  const assignGroup = (groupId: string, resourceType: string, resourceIds: string[], role: string) =>
    must(as(p0, `mutation($input: AssignGroupInput!) { assignGroup(input: $input) { role } }`, { input: { groupId, resourceType, resourceIds, role } }), 'assignGroup');
  await assignGroup(g1, 'PROJECT', [projectA, projectB], 'ANNOTATOR');
  await assignGroup(g1, 'DATASET', [datasetA, datasetB], 'USER');
  await assignGroup(g2, 'PROJECT', [projectA], 'REVIEWER');
  const start = (p: PoolPerson, type: string, target: Record<string, string>) =>
    must(as(p, `mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input: { workspaceId, type, ...target } }), 'startJob');
  await start(p0, 'DATA_IMPORT', { datasetId: datasetA });
  await start(p2, 'LABEL_IMPORT', { projectId: projectA });
  await start(p2, 'MODEL_TRAINING', { projectId: projectB });
  for (const p of [p0, p2, p4]) {
    const made = await must(as(p, MUTATIONS.createApiKey, { input: { workspaceId, name: `setup key of ${p.label}` } }), 'createApiKey');
    world.keys.set(made.apiKey.id, { secret: made.key, owner: p.id });
  }
  await must(as(p0, MUTATIONS.createProjectTag, { input: { workspaceId, name: 'Urgent' } }), 'createProjectTag');
  const bug = await must(as(p0, MUTATIONS.createIssueTag, { input: { workspaceId, name: 'Bug' } }), 'createIssueTag');
  await must(as(p2, MUTATIONS.createIssueTag, { input: { workspaceId, name: 'Label', projectId: projectA } }), 'createIssueTag (project)');
  await must(as(p2, MUTATIONS.createIssue, { input: { projectId: projectA, title: 'Blurry frames', tagIds: [bug.id] } }), 'createIssue');
  return world;
}

/** A person as `p3[MEMBER/JOINED]`: their label in the pool and their membership in `s` ('-' for no one). */
export const labelIn = (world: World, s: State) => (u: string | null | undefined): string => {
  if (!u) return '-';
  const m = s.people.get(u);
  return `${world.byId.get(u)?.label ?? u}[${m ? `${m.role}/${m.status}` : 'outsider'}]`;
};

// ---- Reading its tables ------------------------------------------------------------------------

/** What the tables hold beside property/state.ts. */
export interface ExtraTables {
  domains: string[];
  lastEventSeq: number;
  events: Array<{ jobId: string; seq: number; status: string; progress: number }>;
  jobs: Map<string, { status: string; progress: number; cancelledBy: string | null; startedBy: string; type: string; retryOf: string | null; resourceId: string | null }>;
  projectTags: Map<string, string>;
  tagLinks: Set<string>;
  issueTags: Map<string, { key: string; projectId: string | null }>;
  issues: Map<string, { status: string; projectId: string; createdBy: string | null }>;
  issueLinks: Set<string>;
  maxAuditId: string;
}

export async function readExtraTables(server: TestServer, workspaceId: string): Promise<ExtraTables> {
  const rows = (sql: string) => `(SELECT coalesce(json_agg(x), '[]'::json) FROM (${sql}) x)`;
  const [row] = await server.db.query(
    `SELECT w.internal_domains AS domains, w.last_event_seq::int AS "lastEventSeq",
       ${rows(`SELECT job_id AS "jobId", seq::int AS seq, status, progress FROM job_events WHERE workspace_id = $1 ORDER BY seq`)} AS events,
       ${rows(`SELECT id, status, progress, cancelled_by AS "cancelledBy", user_id AS "startedBy", type, retry_of AS "retryOf", coalesce(project_id, dataset_id) AS "resourceId" FROM jobs WHERE workspace_id = $1`)} AS jobs,
       ${rows(`SELECT id, name_key AS key FROM project_tags WHERE workspace_id = $1 ORDER BY created_at, id`)} AS "projectTags",
       ${rows(`SELECT l.project_id AS p, l.tag_id AS t FROM project_tag_links l JOIN project_tags t ON t.id = l.tag_id WHERE t.workspace_id = $1`)} AS "tagLinks",
       ${rows(`SELECT id, name_key AS key, project_id AS "projectId" FROM issue_tags WHERE workspace_id = $1 ORDER BY created_at, id`)} AS "issueTags",
       ${rows(`SELECT id, status, project_id AS "projectId", created_by AS "createdBy" FROM issues WHERE workspace_id = $1 ORDER BY created_at, id`)} AS issues,
       ${rows(`SELECT l.issue_id AS i, l.tag_id AS t FROM issue_tag_links l JOIN issues i ON i.id = l.issue_id WHERE i.workspace_id = $1`)} AS "issueLinks",
       (SELECT coalesce(max(id), 0)::text FROM audit_log) AS "maxAuditId"
     FROM workspaces w WHERE w.id = $1`,
    [workspaceId],
  );
  const json = (v: unknown): any[] => (typeof v === 'string' ? JSON.parse(v) : (v as any[]));
  return {
    domains: row.domains,
    lastEventSeq: row.lastEventSeq,
    events: json(row.events),
    jobs: new Map(json(row.jobs).map(({ id, ...j }) => [id, j])),
    projectTags: new Map(json(row.projectTags).map((t) => [t.id, t.key])),
    tagLinks: new Set(json(row.tagLinks).map((l) => `${l.p}:${l.t}`)),
    issueTags: new Map(json(row.issueTags).map((t) => [t.id, { key: t.key, projectId: t.projectId }])),
    issues: new Map(json(row.issues).map(({ id, ...i }) => [id, i])),
    issueLinks: new Set(json(row.issueLinks).map((l) => `${l.i}:${l.t}`)),
    maxAuditId: row.maxAuditId,
  };
}

/** The tables of a workspace at one moment: `s` as property/state.ts reads them, `x` the rest. */
export interface Snapshot {
  s: State;
  x: ExtraTables;
}
export const snapshot = async (server: TestServer, workspaceId: string): Promise<Snapshot> => ({ s: await readState(server, workspaceId), x: await readExtraTables(server, workspaceId) });

export interface AuditEntry {
  id: string;
  actor: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: any;
}

/** The workspace's audit entries after `afterId` (a Snapshot's maxAuditId), in id order. */
export async function readAuditAfter(server: TestServer, workspaceId: string, afterId: string): Promise<AuditEntry[]> {
  return (
    await server.db.query(
      `SELECT a.id::text AS id, a.actor_id AS actor, a.action, a.target_type AS "targetType", a.target_id AS "targetId", a.details
         FROM audit_log a WHERE a.workspace_id = $1 AND a.id > $2::bigint ORDER BY a.id`,
      [workspaceId, afterId],
    )
  ).map((e: AuditEntry) => ({ ...e, details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details }));
}
