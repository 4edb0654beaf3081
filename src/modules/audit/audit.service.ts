import type { Context } from '../../server/context';
import { badInput } from '../../server/errors';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { auditPage } from './audit.data';
import type { AuditEntry } from './audit.types';

/** A workspace's audit log (the rule auditLog: ADMINs), newest first; cursors carry the last id. */
export async function auditLog(ctx: Context, workspaceId: string, first: number | null | undefined, after: string | null | undefined): Promise<Page<AuditEntry>> {
  const limit = pageSize(first);
  const cursor = decodeCursor(after, 1);
  const before = cursor ? Number(cursor[0]) : null;
  if (cursor && (!Number.isSafeInteger(before) || before! < 1)) throw badInput('after', 'after is not a valid cursor');
  const { rows, total } = await auditPage(ctx.db, workspaceId, before, limit);
  const entries: AuditEntry[] = rows.map((r) => ({
    ...r,
    id: String(r.id),
    details: typeof r.details === 'string' ? r.details : JSON.stringify(r.details ?? {}),
  }));
  return toPage(entries, limit, total, (e) => [Number(e.id)]);
}
