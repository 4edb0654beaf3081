import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { nameKey } from '../modules/common/validation';

export interface DemoWorkspace {
  workspaceId: string;
  workspaceName: string;
  admin: { subject: string; email: string; name: string };
}

const NAME = 'Demo workspace';
const ADMIN = { subject: 'demo|ada', email: 'ada@demo.example', name: 'Ada Admin' };

const PEOPLE: Array<{ sub: string | null; email: string; name: string; role: string; status: string }> = [
  { sub: ADMIN.subject, email: ADMIN.email, name: ADMIN.name, role: 'ADMIN', status: 'JOINED' },
  { sub: 'demo|max', email: 'max@demo.example', name: 'Max Member', role: 'MEMBER', status: 'JOINED' },
  { sub: 'demo|mia', email: 'mia@demo.example', name: 'Mia Member', role: 'MEMBER', status: 'JOINED' },
  { sub: 'demo|wes', email: 'wes@demo.example', name: 'Wes Workforce', role: 'WORKFORCE_MANAGER', status: 'JOINED' },
  { sub: 'demo|tia', email: 'tia@contractor.example', name: 'Tia Tasker', role: 'TASKER', status: 'JOINED' },
  { sub: 'demo|tom', email: 'tom@contractor.example', name: 'Tom Tasker', role: 'TASKER', status: 'JOINED' },
  { sub: null, email: 'ivy@demo.example', name: 'Ivy Invited', role: 'MEMBER', status: 'INVITED' },
  { sub: null, email: 'dan@contractor.example', name: 'Dan Declined', role: 'TASKER', status: 'DECLINED' },
];

/**
 * Seeds, once, a demo workspace so a newcomer can try the API at once: people of each role and
 * status, two groups with a manager, resources with direct and group roles, and a few jobs. It
 * writes rows directly, not through the modules, to give them a history (dates days and hours ago).
 */
export async function seedDemo(db: DataSource, log: Logger): Promise<DemoWorkspace> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.query(
      `SELECT w.id FROM workspaces w JOIN memberships m ON m.workspace_id = w.id JOIN users u ON u.id = m.user_id
        WHERE w.name = $1 AND u.subject = $2 LIMIT 1`,
      [NAME, ADMIN.subject],
    );
    if (existing) return { workspaceId: existing.id, workspaceName: NAME, admin: ADMIN };

    const workspaceId = randomUUID();
    await tx.query(`INSERT INTO workspaces (id, name, internal_domains) VALUES ($1, $2, $3)`, [workspaceId, NAME, ['demo.example']]);
    const ids: Record<string, string> = {};
    for (const p of PEOPLE) {
      const [user] = await tx.query(
        `INSERT INTO users (id, subject, email, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (lower(email)) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [randomUUID(), p.sub, p.email, p.name],
      );
      ids[p.email] = user.id;
      await tx.query(
        `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at, declined_at)
         VALUES ($1, $2, $3, $4, now() - interval '10 days', CASE WHEN $4 = 'JOINED' THEN now() - interval '9 days' END,
                 CASE WHEN $4 = 'DECLINED' THEN now() - interval '8 days' END)`,
        [workspaceId, user.id, p.role, p.status],
      );
    }
    const admin = ids[ADMIN.email];
    const resource = async (type: string, name: string, description: string) => {
      const id = randomUUID();
      await tx.query(`INSERT INTO resources (id, workspace_id, type, name, description, created_by) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id, workspaceId, type, name, description, admin,
      ]);
      await tx.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [id, admin, workspaceId]);
      return id;
    };
    const street = await resource('PROJECT', 'Street scenes', 'Bounding boxes on city traffic');
    const medical = await resource('PROJECT', 'Chest X-rays', 'Findings with polygons');
    const dashcam = await resource('DATASET', 'Dashcam 2026', 'Front camera, 40k frames');
    await resource('ONTOLOGY', 'Traffic objects', 'Cars, people, signs');
    const give = (resourceId: string, email: string, role: string) =>
      tx.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, $4)`, [resourceId, ids[email], workspaceId, role]);
    await give(street, 'max@demo.example', 'TEAM_MANAGER');
    await give(medical, 'mia@demo.example', 'ADMIN');
    await give(dashcam, 'max@demo.example', 'USER');

    const group = async (name: string, members: string[], managers: string[]) => {
      const id = randomUUID();
      await tx.query(`INSERT INTO groups (id, workspace_id, name, name_key, description, created_by) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id, workspaceId, name, nameKey(name), `The ${name.toLowerCase()}`, ids['wes@demo.example'],
      ]);
      for (const m of members) await tx.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [id, ids[m]]);
      for (const m of managers) await tx.query(`INSERT INTO group_managers (group_id, user_id) VALUES ($1, $2)`, [id, ids[m]]);
      return id;
    };
    const annotators = await group('Annotators', ['tia@contractor.example', 'tom@contractor.example', 'ivy@demo.example'], ['wes@demo.example']);
    await group('Reviewers', ['mia@demo.example'], ['max@demo.example']);
    await tx.query(`INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) VALUES ($1, $2, $3, 'ANNOTATOR')`, [street, annotators, workspaceId]);

    const folder = randomUUID();
    await tx.query(`INSERT INTO storage_folders (id, workspace_id, name) VALUES ($1, $2, 'dashcam/2026-11')`, [folder, workspaceId]);
    const jobs = [
      { type: 'DATA_IMPORT', status: 'SUCCESS', progress: 1, project: null, dataset: dashcam, folder, error: null },
      { type: 'MODEL_TRAINING', status: 'ERROR', progress: 0.42, project: street, dataset: null, folder: null, error: 'GPU out of memory' },
      { type: 'LABEL_IMPORT', status: 'PROCESSING', progress: 0.3, project: medical, dataset: null, folder: null, error: null },
    ];
    let seq = 0;
    for (const [i, j] of jobs.entries()) {
      const id = randomUUID();
      const at = `now() - interval '${jobs.length - i} hours'`;
      await tx.query(
        `INSERT INTO jobs (id, workspace_id, type, status, progress, user_id, project_id, dataset_id, folder_id, error_message, error_details, created_at, updated_at, last_report_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ${at}, ${at}, ${at}, CASE WHEN $4 = 'PROCESSING' THEN NULL ELSE ${at} END)`,
        [id, workspaceId, j.type, j.status, j.progress, admin, j.project, j.dataset, j.folder, j.error, j.error ? 'CUDA error: out of memory at epoch 3' : null],
      );
      seq += 1;
      await tx.query(
        `INSERT INTO job_events (workspace_id, seq, job_id, job_user_id, job_type, status, progress, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, ${at})`,
        [workspaceId, seq, id, admin, j.type, j.status, j.progress],
      );
    }
    await tx.query(`UPDATE workspaces SET last_event_seq = $2 WHERE id = $1`, [workspaceId, seq]);
    log.info({ workspaceId }, 'seeded the demo workspace');
    return { workspaceId, workspaceName: NAME, admin: ADMIN };
  });
}
