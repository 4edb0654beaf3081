import type { EntityManager } from 'typeorm';

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
export async function audit(manager: EntityManager, ...records: AuditRecord[]): Promise<void> {
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
