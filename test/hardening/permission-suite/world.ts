import { createHash, randomUUID } from 'node:crypto';
import type { JobStatus, JobType, ResRole, ResType, WsRole } from './scenario';

/**
 * The rows one scenario needs, by symbolic keys ('A', 'viewer', 'R', ...). A key that names
 * no row (an object "nowhere") still gets an id: one that names nothing.
 */
export interface World {
  workspaces: Array<{ key: string; domain: string }>;
  users: Array<{ key: string; domain: string }>;
  memberships: Array<{ ws: string; user: string; role: WsRole; status: 'JOINED' | 'INVITED' | 'DECLINED'; removed?: boolean }>;
  resources: Array<{ key: string; ws: string; type: ResType }>;
  userRoles: Array<{ res: string; user: string; role: ResRole }>;
  groups: Array<{ key: string; ws: string; createdBy: string }>;
  groupMembers: Array<{ group: string; user: string }>;
  groupManagers: Array<{ group: string; user: string }>;
  groupRoles: Array<{ res: string; group: string; role: ResRole }>;
  projectTags: Array<{ key: string; ws: string }>;
  issueTags: Array<{ key: string; ws: string; project: string | null }>;
  issues: Array<{ key: string; project: string }>;
  /** A job on resource `res` (a dataset for DATA_IMPORT, else a project), maybe a retry of job `retryOf`. */
  jobs: Array<{ key: string; ws: string; type: JobType; status: JobStatus; user: string; res: string; retryOf?: string }>;
  apiKeys: Array<{ key: string; ws: string; user: string }>;
  webhooks: Array<{ key: string; ws: string }>;
}

export function emptyWorld(): World {
  return {
    workspaces: [],
    users: [],
    memberships: [],
    resources: [],
    userRoles: [],
    groups: [],
    groupMembers: [],
    groupManagers: [],
    groupRoles: [],
    projectTags: [],
    issueTags: [],
    issues: [],
    jobs: [],
    apiKeys: [],
    webhooks: [],
  };
}

/** Real ids for one scenario's keys: fresh UUIDs, and emails unique to the scenario. */
export class Ids {
  private readonly map = new Map<string, string>();
  constructor(
    private readonly world: World,
    private readonly tag: string,
  ) {}

  id(key: string): string {
    let id = this.map.get(key);
    if (!id) this.map.set(key, (id = randomUUID()));
    return id;
  }

  email(userKey: string): string {
    const user = this.world.users.find((u) => u.key === userKey);
    return `${userKey}.${this.tag}@${user?.domain ?? 'nowhere.test'}`.toLowerCase();
  }
}

// ---- Rows for the real database ------------------------------------------------------------

/** Column arrays per table, for one INSERT ... SELECT FROM unnest(...) per table over many scenarios. */
export class Rows {
  users: [string[], string[], string[]] = [[], [], []]; // id, subject, email
  workspaces: [string[], string[], string[]] = [[], [], []]; // id, name, domains (as '{a.test}')
  memberships: [string[], string[], string[], string[], boolean[]] = [[], [], [], [], []];
  resources: [string[], string[], string[], string[]] = [[], [], [], []]; // id, ws, type, name
  userRoles: [string[], string[], string[], string[]] = [[], [], [], []]; // res, user, ws, role
  groups: [string[], string[], string[], string[]] = [[], [], [], []]; // id, ws, name, created_by
  groupMembers: [string[], string[]] = [[], []];
  groupManagers: [string[], string[]] = [[], []];
  groupRoles: [string[], string[], string[], string[]] = [[], [], [], []]; // res, group, ws, role
  projectTags: [string[], string[], string[]] = [[], [], []];
  issueTags: [string[], string[], Array<string | null>, string[]] = [[], [], [], []];
  issues: [string[], string[], string[], string[]] = [[], [], [], []]; // id, ws, project, title
  jobs: [string[], string[], string[], string[], string[], Array<string | null>, Array<string | null>, Array<string | null>] = [[], [], [], [], [], [], [], []];
  jobEvents: [string[], string[], string[], string[], string[], number[]] = [[], [], [], [], [], []]; // ws, job, user, type, status, order
  apiKeys: [string[], string[], string[], string[]] = [[], [], [], []]; // id, ws, user, hash
  webhooks: [string[], string[]] = [[], []]; // id, ws

  add(world: World, ids: Ids, options: { jobEvents?: boolean } = {}): void {
    const wsOf = new Map(world.resources.map((r) => [r.key, r.ws]));
    for (const u of world.users) {
      const email = ids.email(u.key);
      this.users[0].push(ids.id(u.key));
      this.users[1].push(`test|${email}`);
      this.users[2].push(email);
    }
    for (const w of world.workspaces) {
      this.workspaces[0].push(ids.id(w.key));
      this.workspaces[1].push(`Workspace ${w.key}`);
      this.workspaces[2].push(`{${w.domain}}`);
    }
    for (const m of world.memberships) {
      this.memberships[0].push(ids.id(m.ws));
      this.memberships[1].push(ids.id(m.user));
      this.memberships[2].push(m.role);
      this.memberships[3].push(m.status);
      this.memberships[4].push(m.removed === true);
    }
    for (const r of world.resources) {
      this.resources[0].push(ids.id(r.key));
      this.resources[1].push(ids.id(r.ws));
      this.resources[2].push(r.type);
      this.resources[3].push(`Resource ${r.key}`);
    }
    for (const g of world.userRoles) {
      this.userRoles[0].push(ids.id(g.res));
      this.userRoles[1].push(ids.id(g.user));
      this.userRoles[2].push(ids.id(wsOf.get(g.res)!));
      this.userRoles[3].push(g.role);
    }
    for (const g of world.groups) {
      this.groups[0].push(ids.id(g.key));
      this.groups[1].push(ids.id(g.ws));
      this.groups[2].push(`Group ${g.key}`);
      this.groups[3].push(ids.id(g.createdBy));
    }
    for (const x of world.groupMembers) {
      this.groupMembers[0].push(ids.id(x.group));
      this.groupMembers[1].push(ids.id(x.user));
    }
    for (const x of world.groupManagers) {
      this.groupManagers[0].push(ids.id(x.group));
      this.groupManagers[1].push(ids.id(x.user));
    }
    for (const g of world.groupRoles) {
      this.groupRoles[0].push(ids.id(g.res));
      this.groupRoles[1].push(ids.id(g.group));
      this.groupRoles[2].push(ids.id(wsOf.get(g.res)!));
      this.groupRoles[3].push(g.role);
    }
    for (const t of world.projectTags) {
      this.projectTags[0].push(ids.id(t.key));
      this.projectTags[1].push(ids.id(t.ws));
      this.projectTags[2].push(`Tag ${t.key}`);
    }
    for (const t of world.issueTags) {
      this.issueTags[0].push(ids.id(t.key));
      this.issueTags[1].push(ids.id(t.ws));
      this.issueTags[2].push(t.project ? ids.id(t.project) : null);
      this.issueTags[3].push(`Issue tag ${t.key}`);
    }
    for (const i of world.issues) {
      this.issues[0].push(ids.id(i.key));
      this.issues[1].push(ids.id(wsOf.get(i.project)!));
      this.issues[2].push(ids.id(i.project));
      this.issues[3].push(`Issue ${i.key}`);
    }
    for (const j of world.jobs) {
      const dataImport = j.type === 'DATA_IMPORT';
      this.jobs[0].push(ids.id(j.key));
      this.jobs[1].push(ids.id(j.ws));
      this.jobs[2].push(j.type);
      this.jobs[3].push(j.status);
      this.jobs[4].push(ids.id(j.user));
      this.jobs[5].push(dataImport ? null : ids.id(j.res));
      this.jobs[6].push(dataImport ? ids.id(j.res) : null);
      this.jobs[7].push(j.retryOf ? ids.id(j.retryOf) : null);
      if (options.jobEvents) {
        // One event per job, in the order of the world's jobs (the feed delivers them in that order).
        this.jobEvents[0].push(ids.id(j.ws));
        this.jobEvents[1].push(ids.id(j.key));
        this.jobEvents[2].push(ids.id(j.user));
        this.jobEvents[3].push(j.type);
        this.jobEvents[4].push(j.status);
        this.jobEvents[5].push(this.jobEvents[5].length);
      }
    }
    for (const k of world.apiKeys) {
      const id = ids.id(k.key);
      this.apiKeys[0].push(id);
      this.apiKeys[1].push(ids.id(k.ws));
      this.apiKeys[2].push(ids.id(k.user));
      this.apiKeys[3].push(createHash('sha256').update(`not-a-real-key-${id}`).digest('hex'));
    }
    for (const h of world.webhooks) {
      this.webhooks[0].push(ids.id(h.key));
      this.webhooks[1].push(ids.id(h.ws));
    }
  }

  /** Writes everything, a few statements in all (one per table). */
  async insert(db: { query(sql: string, params?: unknown[]): Promise<unknown> }): Promise<void> {
    const q = (sql: string, columns: unknown[][]) => (columns[0].length > 0 ? db.query(sql, columns) : Promise.resolve());
    await q(`INSERT INTO users (id, subject, email) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`, this.users);
    await q(
      `INSERT INTO workspaces (id, name, internal_domains) SELECT id, name, d::text[] FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, d)`,
      this.workspaces,
    );
    // A removed person keeps their row: status REMOVED, removedAt set (and joinedAt from when they had joined).
    await q(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at, declined_at, removed_at)
       SELECT w, u, r, CASE WHEN x THEN 'REMOVED' ELSE s END, now(), CASE WHEN s = 'JOINED' THEN now() END, CASE WHEN s = 'DECLINED' THEN now() END, CASE WHEN x THEN now() END
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::boolean[]) AS t(w, u, r, s, x)`,
      this.memberships,
    );
    await q(`INSERT INTO resources (id, workspace_id, type, name) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`, this.resources);
    await q(
      `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])`,
      this.userRoles,
    );
    await q(`INSERT INTO groups (id, workspace_id, name, name_key, created_by) SELECT i, w, n, lower(n), c FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) AS t(i, w, n, c)`, this.groups);
    await q(`INSERT INTO group_members (group_id, user_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`, this.groupMembers);
    await q(`INSERT INTO group_managers (group_id, user_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`, this.groupManagers);
    await q(
      `INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])`,
      this.groupRoles,
    );
    await q(`INSERT INTO project_tags (id, workspace_id, name, name_key) SELECT i, w, n, lower(n) FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(i, w, n)`, this.projectTags);
    await q(`INSERT INTO issue_tags (id, workspace_id, project_id, name, name_key) SELECT i, w, p, n, lower(n) FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS t(i, w, p, n)`, this.issueTags);
    await q(`INSERT INTO issues (id, workspace_id, project_id, title) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])`, this.issues);
    // Jobs first without retry_of (a retry may be listed before the job it retries), then the links.
    await q(
      `INSERT INTO jobs (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, created_at, updated_at, finished_at)
       SELECT id, w, t, s, 0, u, p, d, now(), now(), CASE WHEN s = 'PROCESSING' THEN NULL ELSE now() END
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::uuid[]) AS x(id, w, t, s, u, p, d)`,
      this.jobs.slice(0, 7),
    );
    if (this.jobs[7].some((r) => r !== null)) {
      await db.query(`UPDATE jobs j SET retry_of = x.r FROM unnest($1::uuid[], $2::uuid[]) AS x(id, r) WHERE j.id = x.id AND x.r IS NOT NULL`, [this.jobs[0], this.jobs[7]]);
    }
    if (this.jobEvents[0].length > 0) {
      // One event per job, numbered 1.. per workspace in the world's order, and the workspace's counter to match (the feed replays them).
      await db.query(
        `INSERT INTO job_events (workspace_id, seq, job_id, job_user_id, job_type, status, progress, occurred_at)
         SELECT w, row_number() OVER (PARTITION BY w ORDER BY o), j, u, t, s, 0, now()
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[]) AS x(w, j, u, t, s, o)`,
        this.jobEvents,
      );
      await db.query(
        `UPDATE workspaces w SET last_event_seq = e.n FROM (SELECT workspace_id, max(seq) AS n FROM job_events GROUP BY workspace_id) e WHERE e.workspace_id = w.id`,
      );
    }
    await q(`INSERT INTO api_keys (id, workspace_id, user_id, name, secret_hash) SELECT id, w, u, 'key', h FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS t(id, w, u, h)`, this.apiKeys);
    // Caught up with their workspace's log: the sender has nothing to deliver (no writes behind a test's back).
    await q(
      `INSERT INTO webhooks (id, workspace_id, url, secret, event_seq)
       SELECT t.id, t.w, 'https://hooks.example.com/x', 'secret', ws.last_event_seq FROM unnest($1::uuid[], $2::uuid[]) AS t(id, w) JOIN workspaces ws ON ws.id = t.w`,
      this.webhooks,
    );
  }
}
