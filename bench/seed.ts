import pg from 'pg';
import { openDatabase } from '../src/database/data-source';
import { BENCH_DB, BENCH_DB_URL, PG_ADMIN_URL } from './config';

/**
 * One realistic workspace, made with bulk SQL (generate_series) in a few seconds, the same on
 * every run:
 * - 1,025 people: 1,000 live memberships (ADMIN 1%, WORKFORCE_MANAGER 4%, TASKER 40%, MEMBER
 *   the rest; ~92% JOINED, 6% INVITED, 2% DECLINED) and 25 removed ones (history);
 * - 100 groups of 20 members (every live person is in two), each with one internal manager
 *   who is also a member;
 * - 300 projects and 100 datasets; 20,000 direct roles (20 per live person) and 3,000 group
 *   roles (30 per group); every resource has a direct ADMIN;
 * - 50,000 jobs over ~35 days, 5% PROCESSING (the newest 100 all PROCESSING), by JOINED people.
 *
 * Ids are UUIDs built from (kind, n) so that id order, email order, name order and creation
 * order of people (and of jobs) all agree: any sort key the API might use picks the same page.
 */
export interface Person {
  id: string;
  subject: string;
  email: string;
  name: string;
}
export interface Seeded {
  workspaceId: string;
  admin: Person;
  /** The first JOINED MEMBER and WORKFORCE_MANAGER (S5's viewers). */
  viewers: { MEMBER: Person; WORKFORCE_MANAGER: Person };
  /** A project the ADMIN may start jobs on (S4's workers start theirs there). */
  projectId: string;
  /** The newest PROCESSING jobs (S4's SQL floor reports on them, one a client). */
  processingJobIds: string[];
  counts: Record<string, number>;
}

/** The UUID for (kind, n): 0000000k-0000-4000-8000-00000000000n (hex), in SQL. */
const uid = (kind: number, n: string) => `(lpad(to_hex(${kind}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
export const benchUuid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const KIND = { workspace: 1, user: 2, group: 3, resource: 4, job: 5, folder: 6 };
const WORKSPACE_ID = benchUuid(KIND.workspace, 1);
const BASE = `timestamptz '2026-01-01 00:00:00+00'`;

const FIRST = `'{Ada,Ben,Chloe,Dev,Emma,Farid,Gia,Hugo,Ines,Jon,Kira,Liam,Maya,Noah,Olga,Pia,Quinn,Raj,Sara,Tom}'::text[]`;
const LAST = `'{Alvarez,Brown,Chen,Diallo,Evans,Fischer,Garcia,Haddad,Ito,Jensen,Kowalski,Lopez,Moreau,Novak,Okafor,Park,Quispe,Rossi,Singh,Tanaka,Ueda,Varga,Weber,Xu,Yilmaz}'::text[]`;

/** Statements, in order. `n` in the users' series is the person's number 1..1025. */
const FILL = [
  `INSERT INTO workspaces (id, name, internal_domains, created_at)
   VALUES ('${WORKSPACE_ID}', 'Bench workspace', '{bench.example}', ${BASE} - interval '400 days')`,

  // People. Role and status are functions of n; removed people are every 41st.
  `CREATE TEMP TABLE people AS
   SELECT n, ${uid(KIND.user, 'n')} AS id,
          CASE WHEN n % 100 = 1 THEN 'ADMIN' WHEN n % 100 BETWEEN 2 AND 5 THEN 'WORKFORCE_MANAGER'
               WHEN n % 100 BETWEEN 50 AND 89 THEN 'TASKER' ELSE 'MEMBER' END AS role,
          CASE WHEN n % 41 = 0 THEN 'REMOVED' WHEN n % 100 = 1 THEN 'JOINED' WHEN n % 50 = 7 THEN 'DECLINED'
               WHEN n % 50 IN (3, 13, 23) THEN 'INVITED' ELSE 'JOINED' END AS status,
          (n % 41 = 0) AS removed,
          ${BASE} - interval '300 days' + n * interval '1 hour' AS invited_at
     FROM generate_series(1, 1025) AS n`,
  `INSERT INTO users (id, subject, email, name, created_at)
   SELECT id, CASE WHEN status = 'JOINED' THEN 'bench|u' || lpad(n::text, 4, '0') END,
          'u' || lpad(n::text, 4, '0') || '.' || lower((${FIRST})[1 + n % 20]) || '@' ||
            CASE WHEN role = 'TASKER' THEN 'contractor.example' ELSE 'bench.example' END,
          'U' || lpad(n::text, 4, '0') || ' ' || (${FIRST})[1 + n % 20] || ' ' || (${LAST})[1 + (n / 20) % 25],
          invited_at
     FROM people`,
  `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, declined_at, joined_at, removed_at)
   SELECT '${WORKSPACE_ID}', id, role, status, invited_at,
          CASE WHEN status = 'DECLINED' THEN invited_at + interval '2 days' END,
          CASE WHEN status = 'JOINED' THEN invited_at + interval '1 day' END,
          CASE WHEN removed THEN invited_at + interval '30 days' END
     FROM people`,
  // The live people, numbered p = 0..999 in id order: groups and roles are functions of p.
  `CREATE TEMP TABLE live AS
   SELECT (row_number() OVER (ORDER BY id) - 1)::int AS p, id, role, status FROM people WHERE NOT removed`,

  `INSERT INTO groups (id, workspace_id, name, name_key, description, created_by, created_at)
   SELECT id, '${WORKSPACE_ID}', name, lower(name), 'Team ' || g, (SELECT id FROM live WHERE p = 0), ${BASE} - interval '200 days' + g * interval '1 hour'
     FROM (SELECT g, ${uid(KIND.group, 'g')} AS id,
                  (ARRAY['Annotators','Reviewers','Vision','Lidar','Medical','Retail','Night shift','QA'])[1 + g % 8] || ' ' || lpad(g::text, 3, '0') AS name
             FROM generate_series(1, 100) AS g) named`,
  // Person p is in groups p%100 and (p%100 + 1 + p/100) % 100: two different groups, 20 per group.
  `INSERT INTO group_members (group_id, user_id)
   SELECT ${uid(KIND.group, '1 + x.g')}, l.id
     FROM live l CROSS JOIN LATERAL (VALUES (l.p % 100), ((l.p % 100 + 1 + l.p / 100) % 100)) AS x(g)`,
  `INSERT INTO group_managers (group_id, user_id)
   SELECT DISTINCT ON (gm.group_id) gm.group_id, gm.user_id
     FROM group_members gm JOIN users u ON u.id = gm.user_id JOIN live l ON l.id = gm.user_id
    WHERE u.email LIKE '%@bench.example' AND l.status = 'JOINED'
    ORDER BY gm.group_id, gm.user_id`,

  // Resources r = 0..399: 300 projects, then 100 datasets.
  `INSERT INTO resources (id, workspace_id, type, name, description, created_by, created_at)
   SELECT ${uid(KIND.resource, '1 + r')}, '${WORKSPACE_ID}',
          CASE WHEN r < 300 THEN 'PROJECT' ELSE 'DATASET' END,
          CASE WHEN r < 300
               THEN (ARRAY['Street scenes','Chest X-rays','Shelf audit','Drone survey','Dashcam','Retina scans'])[1 + r % 6] || ' ' || lpad((r + 1)::text, 3, '0')
               ELSE (ARRAY['Frames','Scans','Photos','Clips'])[1 + r % 4] || ' ' || lpad((r - 299)::text, 3, '0') END,
          'Resource ' || r, (SELECT id FROM live WHERE p = 0), ${BASE} - interval '250 days' + r * interval '1 hour'
     FROM generate_series(0, 399) AS r`,
  // Person p holds roles on resources (37p + 13j) % 400, j = 0..19 (distinct); j = 0 is ADMIN,
  // so every resource has a direct ADMIN (37 is prime to 400).
  `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
   SELECT ${uid(KIND.resource, '1 + x.r')}, l.id, '${WORKSPACE_ID}',
          CASE WHEN x.j = 0 THEN 'ADMIN'
               WHEN x.r < 300 THEN (ARRAY['ADMIN','TEAM_MANAGER','REVIEWER','ANNOTATOR','ANNOTATOR_REVIEWER'])[1 + (l.p + x.j) % 5]
               ELSE (ARRAY['ADMIN','USER'])[1 + (l.p + x.j) % 2] END
     FROM live l CROSS JOIN LATERAL (SELECT j, (37 * l.p + 13 * j) % 400 AS r FROM generate_series(0, 19) AS j) x`,
  // Group g (0..99) holds roles on resources (7g + 13j) % 400, j = 0..29.
  `INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role)
   SELECT ${uid(KIND.resource, '1 + (7 * g + 13 * j) % 400')}, ${uid(KIND.group, '1 + g')}, '${WORKSPACE_ID}',
          CASE WHEN (7 * g + 13 * j) % 400 < 300
               THEN (ARRAY['TEAM_MANAGER','REVIEWER','ANNOTATOR','ANNOTATOR_REVIEWER','ADMIN'])[1 + (g + j) % 5]
               ELSE (ARRAY['USER','ADMIN'])[1 + (g + j) % 2] END
     FROM generate_series(0, 99) AS g, generate_series(0, 29) AS j`,

  `INSERT INTO storage_folders (id, workspace_id, name, created_at)
   SELECT ${uid(KIND.folder, 'f')}, '${WORKSPACE_ID}', 'bucket-' || f, ${BASE} - interval '100 days'
     FROM generate_series(1, 10) AS f`,
  // Jobs n = 1..50,000, one a minute, started by JOINED people (removed ones included: history).
  `CREATE TEMP TABLE starters AS
   SELECT array_agg(id ORDER BY id) AS ids FROM people WHERE status IN ('JOINED', 'REMOVED')`,
  `INSERT INTO jobs (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, folder_id,
                     error_message, error_details, created_at, updated_at, finished_at)
   SELECT ${uid(KIND.job, 'n')}, '${WORKSPACE_ID}', t.type, s.status,
          CASE s.status WHEN 'PROCESSING' THEN (n % 97) / 97.0 WHEN 'SUCCESS' THEN 1 ELSE (n % 50) / 50.0 END,
          st.ids[1 + (n * 7) % array_length(st.ids, 1)],
          CASE WHEN t.type <> 'DATA_IMPORT' THEN ${uid(KIND.resource, '1 + n % 300')} END,
          CASE WHEN t.type = 'DATA_IMPORT' THEN ${uid(KIND.resource, '301 + n % 100')} END,
          CASE WHEN t.type = 'DATA_IMPORT' THEN ${uid(KIND.folder, '1 + n % 10')} END,
          CASE WHEN s.status = 'ERROR' THEN 'Import failed: 3 files unreadable' END,
          CASE WHEN s.status = 'ERROR' THEN 'frame_0012.png: truncated; frame_0410.png: truncated; meta.json: invalid' END,
          ${BASE} - interval '50000 minutes' + n * interval '1 minute',
          ${BASE} - interval '50000 minutes' + n * interval '1 minute' + interval '20 seconds',
          CASE WHEN s.status <> 'PROCESSING' THEN ${BASE} - interval '50000 minutes' + n * interval '1 minute' + interval '20 seconds' END
     FROM generate_series(1, 50000) AS n CROSS JOIN starters st
     CROSS JOIN LATERAL (SELECT (ARRAY['DATA_IMPORT','MODEL_TRAINING','LABEL_IMPORT'])[1 + n % 3] AS type) t
     CROSS JOIN LATERAL (SELECT CASE WHEN n > 49900 OR n % 21 = 0 THEN 'PROCESSING' WHEN n % 10 = 3 THEN 'ERROR'
                                     WHEN n % 25 = 7 THEN 'CANCELLED' ELSE 'SUCCESS' END AS status) s`,
];

/** Drops and re-creates the bench database, runs the project's migrations, fills it. */
export async function seedBenchDatabase(log: (msg: string) => void = () => {}): Promise<Seeded> {
  const started = Date.now();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ url: BENCH_DB_URL, statementTimeoutMs: 120_000, applicationName: 'bench-seed' });
  try {
    await db.dataSource.runMigrations({ transaction: 'each' });
    await db.dataSource.transaction(async (tx) => {
      for (const sql of FILL) await tx.query(sql);
    });
    await db.dataSource.query('ANALYZE');
    const counts: Record<string, number> = {};
    for (const table of ['users', 'memberships', 'groups', 'group_members', 'group_managers', 'resources', 'resource_user_roles', 'resource_group_roles', 'jobs']) {
      const [row] = await db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = row.n;
    }
    const first = async (role: string): Promise<Person> =>
      (
        await db.dataSource.query(
          `SELECT u.id, u.subject, u.email, u.name FROM users u JOIN memberships m ON m.user_id = u.id
            WHERE m.workspace_id = $1 AND m.role = $2 AND m.status = 'JOINED' ORDER BY u.id LIMIT 1`,
          [WORKSPACE_ID, role],
        )
      )[0];
    const jobs: Array<{ id: string }> = await db.dataSource.query(
      `SELECT id FROM jobs WHERE workspace_id = $1 AND status = 'PROCESSING' ORDER BY created_at DESC LIMIT 100`,
      [WORKSPACE_ID],
    );
    log(`seeded ${BENCH_DB} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
    return {
      workspaceId: WORKSPACE_ID,
      admin: await first('ADMIN'),
      viewers: { MEMBER: await first('MEMBER'), WORKFORCE_MANAGER: await first('WORKFORCE_MANAGER') },
      projectId: benchUuid(KIND.resource, 1),
      processingJobIds: jobs.map((j) => j.id),
      counts,
    };
  } finally {
    await db.close();
  }
}
