import { randomUUID } from 'node:crypto';
import { createWorkspace, signIn, type Person, type Role } from '../support/fixtures';
import type { TestServer } from '../support/harness';

export const PEOPLE = 1000;
export const GROUPS = 12;
export const PROJECTS = 40;
const DATASETS = 10;
const ONTOLOGIES = 10;

export interface BigWorkspace {
  workspaceId: string;
  /** A JOINED person of each role: the ADMIN made the workspace, the others are in every group. */
  actors: Record<Role, Person>;
  groupIds: string[];
  projectIds: string[];
}

/**
 * A workspace of 1,000 people in 12 groups of 1,000 (everyone in every group, 3 managers each),
 * 60 resources (each with two direct roles per person spread over them, and one group role:
 * some 1,030 members each), project and issue tags, 30 issues per project, 200 jobs. Written
 * with bulk SQL (the API would take minutes); every list stays within its cap
 * (src/server/limits/caps.ts). Emails, names and descriptions are of ordinary length.
 */
export async function seedBigWorkspace(server: TestServer): Promise<BigWorkspace> {
  const domain = 'acme-annotation.example';
  const { workspaceId, admin } = await createWorkspace(server, 'Acme Annotation', `admin-${randomUUID().slice(0, 6)}@${domain}`);
  const q = (sql: string, params: unknown[]) => server.db.query(sql, params);
  const people = Array.from({ length: PEOPLE }, () => randomUUID());
  await q(
    `INSERT INTO users (id, email, name) SELECT id, 'person-' || lpad(n::text, 4, '0') || '@${domain}', 'Person ' || lpad(n::text, 4, '0') || ' Annotator'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [people],
  );
  // n % 10: 0 WORKFORCE_MANAGER, 1 TASKER, else MEMBER.
  await q(
    `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at)
     SELECT $1, id, CASE n % 10 WHEN 0 THEN 'WORKFORCE_MANAGER' WHEN 1 THEN 'TASKER' ELSE 'MEMBER' END, 'JOINED', now() - interval '30 days', now() - interval '29 days'
       FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [workspaceId, people],
  );
  const groupIds = Array.from({ length: GROUPS }, () => randomUUID());
  await q(
    `INSERT INTO groups (id, workspace_id, name, name_key, description, created_by)
     SELECT id, $2, 'Annotation team ' || lpad(n::text, 2, '0'), 'annotation team ' || lpad(n::text, 2, '0'),
            'Annotators and reviewers of the driving-scene projects, shift ' || n, $3
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [groupIds, workspaceId, admin.id],
  );
  await q(`INSERT INTO group_members (group_id, user_id) SELECT g, u FROM unnest($1::uuid[]) AS g CROSS JOIN unnest($2::uuid[]) AS u`, [groupIds, people]);
  // Three WORKFORCE_MANAGERs (n = 10, 20, ...) manage each group.
  await q(
    `INSERT INTO group_managers (group_id, user_id)
     SELECT g.id, u.id FROM unnest($1::uuid[]) WITH ORDINALITY AS g(id, k) JOIN unnest($2::uuid[]) WITH ORDINALITY AS u(id, n)
         ON u.n % 10 = 0 AND (u.n / 10) % $3 IN (g.k, g.k + 1, g.k + 2)`,
    [groupIds, people, GROUPS],
  );
  const resources = Array.from({ length: PROJECTS + DATASETS + ONTOLOGIES }, () => randomUUID());
  await q(
    `INSERT INTO resources (id, workspace_id, type, name, description, created_by)
     SELECT id, $2, CASE WHEN n <= $3 THEN 'PROJECT' WHEN n <= $4 THEN 'DATASET' ELSE 'ONTOLOGY' END,
            'Driving scenes ' || lpad(n::text, 2, '0'), 'Front-camera frames of urban driving, batch ' || n, $5
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [resources, workspaceId, PROJECTS, PROJECTS + DATASETS, admin.id],
  );
  await q(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT r, $2, $3, 'ADMIN' FROM unnest($1::uuid[]) AS r`, [resources, admin.id, workspaceId]);
  // Two direct roles per person (datasets and ontologies take ADMIN or USER: USER everywhere).
  await q(
    `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
     SELECT DISTINCT ON (r.id, u.id) r.id, u.id, $3, 'USER'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, k) JOIN unnest($2::uuid[]) WITH ORDINALITY AS u(id, n)
         ON r.k - 1 = u.n % $4 OR r.k - 1 = (u.n * 7) % $4`,
    [resources, people, workspaceId, resources.length],
  );
  await q(
    `INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role)
     SELECT r.id, g.id, $3, 'USER' FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, k) JOIN unnest($2::uuid[]) WITH ORDINALITY AS g(id, j)
         ON (r.k - 1) % $4 = g.j - 1`,
    [resources, groupIds, workspaceId, GROUPS],
  );
  const projectIds = resources.slice(0, PROJECTS);
  const projectTags = Array.from({ length: 20 }, () => randomUUID());
  await q(
    `INSERT INTO project_tags (id, workspace_id, name, name_key) SELECT id, $2, 'Tag ' || n, 'tag ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [projectTags, workspaceId],
  );
  await q(
    `INSERT INTO project_tag_links (project_id, tag_id) SELECT p.id, t.id FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, k)
       JOIN unnest($2::uuid[]) WITH ORDINALITY AS t(id, j) ON (p.k + t.j) % 4 = 0`,
    [projectIds, projectTags],
  );
  const issueTags = Array.from({ length: 10 }, () => randomUUID());
  await q(
    `INSERT INTO issue_tags (id, workspace_id, project_id, name, name_key) SELECT id, $2, NULL, 'Issue kind ' || n, 'issue kind ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [issueTags, workspaceId],
  );
  await q(
    `INSERT INTO issues (id, workspace_id, project_id, title, status, created_by, created_at)
     SELECT gen_random_uuid(), $2, p, 'Bounding box misses the occluded pedestrian, frame ' || i, CASE WHEN i % 3 = 0 THEN 'RESOLVED' ELSE 'OPEN' END, $3, now() - (i || ' minutes')::interval
       FROM unnest($1::uuid[]) AS p CROSS JOIN generate_series(1, 30) AS i`,
    [projectIds, workspaceId, admin.id],
  );
  await q(
    `INSERT INTO issue_tag_links (issue_id, tag_id) SELECT i.id, t.id FROM issues i JOIN unnest($2::uuid[]) WITH ORDINALITY AS t(id, j)
       ON (abs(hashtext(i.id::text)) + t.j) % 5 = 0 WHERE i.workspace_id = $1`,
    [workspaceId, issueTags],
  );
  await q(
    `INSERT INTO jobs (id, workspace_id, type, status, progress, user_id, dataset_id, created_at, updated_at, finished_at)
     SELECT gen_random_uuid(), $1, 'DATA_IMPORT', 'SUCCESS', 1, $2, $3, now() - (i || ' minutes')::interval, now(), now() FROM generate_series(1, 200) AS i`,
    [workspaceId, admin.id, resources[PROJECTS]],
  );
  const actorOf = async (role: Role, n: number) => signIn(server, `person-${String(n).padStart(4, '0')}@${domain}`);
  const actors: Record<Role, Person> = {
    ADMIN: admin,
    MEMBER: await actorOf('MEMBER', 2),
    WORKFORCE_MANAGER: await actorOf('WORKFORCE_MANAGER', 10),
    TASKER: await actorOf('TASKER', 1),
  };
  return { workspaceId, actors, groupIds, projectIds };
}
