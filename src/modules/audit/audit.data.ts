import { queryOne, queryRows, type Queryable } from '../../database/sql';

/** The SQL of the audit log: entries written in the transaction of the change they record, and read newest first. */

export interface AuditRecord {
  workspaceId: string;
  /** null for an operator's command-line action. */
  actorId: string | null;
  /** The mutation's name, e.g. changeUserRole. */
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

/** Records changes in the transaction that makes them: both commit, or neither. */
export async function audit(manager: Queryable, ...records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  const values: unknown[] = [];
  const rows = records.map((r, i) => {
    values.push(r.workspaceId, r.actorId, r.action, r.targetType, r.targetId, JSON.stringify(r.details ?? {}));
    const o = i * 6;
    return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO audit_log (workspace_id, actor_id, action, target_type, target_id, details) VALUES ${rows.join(', ')}`,
    values,
  );
}

export interface AuditRow {
  id: number | string;
  workspaceId: string;
  at: Date;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: unknown;
}

/** A page of a workspace's entries, newest first (ids grow with time), before the id `before`; and how many there are. */
export async function auditPage(db: Queryable, workspaceId: string, before: number | null, limit: number): Promise<{ rows: AuditRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    queryRows<AuditRow>(
      db,
      `SELECT id, workspace_id AS "workspaceId", at, actor_id AS "actorId", action, target_type AS "targetType", target_id AS "targetId", details
         FROM audit_log
        WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [workspaceId, before, limit + 1],
    ),
    queryOne<{ n: number }>(db, `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1`, [workspaceId]),
  ]);
  return { rows, total: count!.n };
}
