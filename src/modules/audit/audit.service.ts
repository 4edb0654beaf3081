import { queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import type { AuditEntry } from './audit.types';

interface AuditRow {
  id: number | string;
  workspaceId: string;
  at: Date;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: unknown;
}

/** A workspace's audit log, newest first (ids grow with time); cursors carry the last id. */
export async function auditLog(ctx: Context, workspaceId: string, first: number | null | undefined, after: string | null | undefined): Promise<Page<AuditEntry>> {
  const limit = pageSize(first);
  const cursor = decodeCursor(after, 1);
  const before = cursor ? Number(cursor[0]) : null;
  if (cursor && (!Number.isSafeInteger(before) || before! < 1)) throw badInput('after', 'after is not a valid cursor');
  const rows = await queryRows<AuditRow>(
    ctx.db,
    `SELECT id, workspace_id AS "workspaceId", at, actor_id AS "actorId", action, target_type AS "targetType", target_id AS "targetId", details
       FROM audit_log
      WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY id DESC LIMIT $3`,
    [workspaceId, before, limit + 1],
  );
  const count = await queryOne<{ n: number }>(ctx.db, `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1`, [workspaceId]);
  const entries: AuditEntry[] = rows.map((r) => ({
    ...r,
    id: String(r.id),
    details: typeof r.details === 'string' ? r.details : JSON.stringify(r.details ?? {}),
  }));
  return toPage(entries, limit, count!.n, (e) => [Number(e.id)]);
}
