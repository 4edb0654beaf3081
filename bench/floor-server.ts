import { createServer, type IncomingMessage } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';

/**
 * The floor: what answering costs with no framework at all. One hand-written SQL statement per
 * query builds the whole response (json_agg) in PostgreSQL; node:http hands its text back
 * unparsed. S2 verifies the bearer token (HS256, as the service does) and answers the viewer's
 * id from memory: the cheapest honest `{ viewer { id } }`.
 *
 * env: PORT, DATABASE_URL, AUTH_JWT_SECRET, POOL_SIZE.
 */

/**
 * S1: the first 100 people (email order), each with the groups they belong to or manage (name
 * order) and their assignments, direct and through groups (the service's order: resource type,
 * creation, id, direct first, then group name).
 */
export const S1_SQL = `
WITH page AS (
  SELECT u.id, u.email, m.role
    FROM memberships m JOIN users u ON u.id = m.user_id
   WHERE m.workspace_id = $1 AND m.status <> 'REMOVED'
   ORDER BY u.email, u.id
   LIMIT 100
)
SELECT json_build_object('data', json_build_object('workspace', json_build_object('users', json_build_object('nodes',
  COALESCE(json_agg(json_build_object(
    'email', p.email,
    'role', p.role,
    'groups', (SELECT COALESCE(json_agg(json_build_object('name', g.name) ORDER BY lower(g.name), g.id), '[]')
                 FROM groups g
                WHERE g.workspace_id = $1
                  AND g.id IN (SELECT group_id FROM group_members WHERE user_id = p.id
                               UNION SELECT group_id FROM group_managers WHERE user_id = p.id)),
    'assignments', (SELECT COALESCE(json_agg(json_build_object('role', a.role, 'resource', json_build_object('name', r.name))
                                    ORDER BY r.type, r.created_at, r.id, a.group_id IS NOT NULL, lower(vg.name), vg.id), '[]')
                      FROM (SELECT ur.resource_id, ur.role, NULL::uuid AS group_id
                              FROM resource_user_roles ur WHERE ur.workspace_id = $1 AND ur.user_id = p.id
                            UNION ALL
                            SELECT gr.resource_id, gr.role, gr.group_id
                              FROM group_members gm JOIN resource_group_roles gr ON gr.group_id = gm.group_id
                             WHERE gr.workspace_id = $1 AND gm.user_id = p.id) a
                      JOIN resources r ON r.id = a.resource_id
                      LEFT JOIN groups vg ON vg.id = a.group_id)
  ) ORDER BY p.email, p.id), '[]')))))::text AS body
FROM page p`;

/** S3: the newest 50 PROCESSING jobs with their starter's email. */
export const S3_SQL = `
SELECT json_build_object('data', json_build_object('workspace', json_build_object('jobs', json_build_object('nodes',
  COALESCE(json_agg(json_build_object('id', j.id, 'type', j.type, 'status', j.status, 'progress', j.progress, 'user', json_build_object('email', u.email))
           ORDER BY j.created_at DESC, j.id DESC), '[]')))))::text AS body
  FROM (SELECT id, type, status, progress, user_id, created_at FROM jobs
         WHERE workspace_id = $1 AND status = ANY($2::text[])
         ORDER BY created_at DESC, id DESC LIMIT 50) j
  JOIN users u ON u.id = j.user_id`;

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
  const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET);
  const { rows } = await pool.query(`SELECT subject, id FROM users WHERE subject IS NOT NULL`);
  const idOf = new Map<string, string>(rows.map((r) => [r.subject, r.id]));

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c)).on('end', () => resolve(body)).on('error', reject);
    });

  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      if (req.url === '/healthz') {
        res.end('ok');
        return;
      }
      const { ws } = JSON.parse(raw || '{}');
      let body: string;
      if (req.url === '/s1') body = (await pool.query(S1_SQL, [ws])).rows[0].body;
      else if (req.url === '/s3') body = (await pool.query(S3_SQL, [ws, ['PROCESSING']])).rows[0].body;
      else if (req.url === '/s2') {
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        body = JSON.stringify({ data: { viewer: { id: idOf.get(payload.sub!) } } });
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
