import { randomUUID } from 'node:crypto';
import { visibleSql, type Visibility } from '../../authorization/lists';
import { columnsOf, unprefix } from '../../database/columns';
import { queryOne, queryRows, type Queryable } from '../../database/sql';
import type { InvitationStatus, WorkspaceRole } from './membership.entity';
import { INVITATION_STATUSES, MembershipEntity, WORKSPACE_ROLES } from './membership.entity';
import { UserEntity } from './user.entity';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * The SQL of the users module: people (accounts) and their memberships of workspaces, read as
 * WorkspaceUsers; invitations, roles and removal; the locks those changes take.
 */

// ---- People as rows ---------------------------------------------------------------------------

/** The tables a person is read from: memberships m, users u, workspaces w (for `internal`). */
export const PERSON_FROM = `memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id`;

const PERSON_KEYS = ['id', 'workspaceId', 'email', 'name', 'role', 'status', 'invitedAt', 'declinedAt', 'joinedAt', 'removedAt', 'internal'] as const;

/** A WorkspaceUser's columns (from PERSON_FROM), each name prefixed: other modules join people into their rows with it. */
export function personColumns(prefix = ''): string {
  return [
    columnsOf(UserEntity, 'u', { prefix, only: ['id', 'email', 'name'] }),
    columnsOf(MembershipEntity, 'm', { prefix, only: ['workspaceId', 'role', 'status', 'invitedAt', 'declinedAt', 'joinedAt', 'removedAt'] }),
    `(split_part(lower(u.email), '@', 2) = ANY(w.internal_domains)) AS "${prefix}internal"`,
  ].join(', ');
}

/** The WorkspaceUser in a row read with `personColumns(prefix)`; null for an outer join that found none. */
export function personFrom(row: Record<string, any>, prefix = ''): WorkspaceUser | null {
  return unprefix<WorkspaceUser>(row, prefix, PERSON_KEYS);
}

/** People by (workspace, user), in any status: history (jobs, audit entries) still names removed ones. */
export function peopleByKeys(db: Queryable, keys: ReadonlyArray<{ workspaceId: string; userId: string }>): Promise<WorkspaceUser[]> {
  return queryRows<WorkspaceUser>(
    db,
    `SELECT ${personColumns()} FROM ${PERSON_FROM}
      WHERE (m.workspace_id, m.user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
    [keys.map((k) => k.workspaceId), keys.map((k) => k.userId)],
  );
}

/** The orders a list of people takes; each ends with email then id, so every order is total and stable. */
export const PEOPLE_ORDERS = ['NAME', 'EMAIL', 'ROLE', 'STATUS', 'INVITED_AT', 'JOINED_AT'] as const;
export type PeopleOrder = (typeof PEOPLE_ORDERS)[number];

/**
 * Each order's sort key, the value a cursor carries: text or a number (times as epoch
 * microseconds, so a cursor holds them exactly). Roles and statuses sort in the contract's
 * order (ADMIN first; INVITED first). Null keys (no name, not yet joined) come last either way.
 */
const SORT_KEYS: Record<PeopleOrder, { sql: string; type: 'text' | 'number' }> = {
  NAME: { sql: 'lower(u.name)', type: 'text' },
  EMAIL: { sql: 'u.email', type: 'text' },
  ROLE: { sql: `array_position(ARRAY[${WORKSPACE_ROLES.map((r) => `'${r}'`).join(', ')}]::text[], m.role::text)`, type: 'number' },
  STATUS: { sql: `array_position(ARRAY[${INVITATION_STATUSES.map((s) => `'${s}'`).join(', ')}]::text[], m.status::text)`, type: 'number' },
  INVITED_AT: { sql: '(extract(epoch FROM m.invited_at) * 1000000)::bigint', type: 'number' },
  JOINED_AT: { sql: '(extract(epoch FROM m.joined_at) * 1000000)::bigint', type: 'number' },
};

/** Whether a cursor's sort key can be one of this order's (a forged one must not reach SQL as a cast error). */
export function isSortKey(order: PeopleOrder, value: unknown): boolean {
  if (value === null) return true;
  return SORT_KEYS[order].type === 'text' ? typeof value === 'string' : Number.isSafeInteger(value);
}

/** Where a page starts: the previous page's last row, as its sort key, email and id. */
export interface PeopleCursor {
  key: string | number | null;
  email: string;
  id: string;
}

export interface PeopleQuery {
  workspaceId: string;
  /** Which people the list holds (scopes.person). */
  visible: Visibility<'person'>;
  search: string | null;
  role: WorkspaceRole | null;
  /** null: every status but REMOVED. */
  status: InvitationStatus | null;
  internal: boolean | null;
  /** Members of this group, shown only where the viewer may see its members (scopes.groupMembers). */
  group: { id: string; visible: Visibility<'group'> } | null;
  order: PeopleOrder;
  descending: boolean;
  after: PeopleCursor | null;
  limit: number;
  /** Only when it is read: counting costs more than the page. */
  withTotal: boolean;
}

export type ListedPerson = WorkspaceUser & { sortKey: string | number | null };

/**
 * One page of a workspace's people in the asked order, then email, then id (emails are unique
 * and never change: orders and cursors are stable), and the total: one statement, one snapshot.
 */
export async function listPeople(db: Queryable, q: PeopleQuery): Promise<{ rows: ListedPerson[]; total: number }> {
  const params: unknown[] = [q.workspaceId];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['m.workspace_id = $1', q.status ? `m.status = ${add(q.status)}` : `m.status <> 'REMOVED'`, visibleSql(q.visible, { userId: 'm.user_id' }, params)];
  if (q.search) {
    const pattern = add(q.search);
    where.push(`(u.email ILIKE ${pattern} ESCAPE '\\' OR u.name ILIKE ${pattern} ESCAPE '\\')`);
  }
  if (q.role) where.push(`m.role = ${add(q.role)}`);
  if (q.internal !== null) where.push(`(split_part(lower(u.email), '@', 2) = ANY(w.internal_domains)) = ${add(q.internal)}`);
  if (q.group) {
    where.push(`EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
                         WHERE gm.group_id = ${add(q.group.id)}::uuid AND gm.user_id = m.user_id AND g.workspace_id = m.workspace_id
                           AND ${visibleSql(q.group.visible, 'g', params)})`);
  }
  const filtered = where.join(' AND ');
  const key = SORT_KEYS[q.order];
  const [dir, op] = q.descending ? ['DESC', '<'] : ['ASC', '>'];
  let page = filtered;
  if (q.after) {
    const rest = `(u.email, u.id) ${op} (${add(q.after.email)}, ${add(q.after.id)}::uuid)`;
    // Null keys come last: after a null key only null keys follow; after a value, greater values and every null key.
    page +=
      q.after.key === null
        ? ` AND ${key.sql} IS NULL AND ${rest}`
        : ` AND (${key.sql} IS NULL OR ${key.sql} ${op} ${add(q.after.key)} OR (${key.sql} = ${add(q.after.key)} AND ${rest}))`;
  }
  const limit = add(q.limit + 1);
  const orderBy = (k: string, email: string, id: string) => `${k} IS NULL, ${k} ${dir}, ${email} ${dir}, ${id} ${dir}`;
  // The count's row always comes back, with the page's rows beside it (an empty page leaves one row of nulls).
  const joined = await queryRows<ListedPerson & { totalCount: number | null }>(
    db,
    `SELECT page.*, total.n AS "totalCount"
       FROM (SELECT CASE WHEN ${add(q.withTotal)}::boolean THEN (SELECT count(*)::int FROM ${PERSON_FROM} WHERE ${filtered}) END AS n) total
       LEFT JOIN LATERAL (SELECT ${personColumns()}, ${key.sql} AS "sortKey" FROM ${PERSON_FROM} WHERE ${page}
                           ORDER BY ${orderBy(key.sql, 'u.email', 'u.id')} LIMIT ${limit}) page ON true
      ORDER BY ${orderBy('page."sortKey"', 'page.email', 'page.id')}`,
    params,
  );
  // pg reads bigint as text: a cursor keeps the number.
  const sortKey = (v: unknown) => (v === null || key.type === 'text' ? (v as string | null) : Number(v));
  const rows = joined.filter((r) => r.id !== null).map(({ totalCount: _t, ...row }) => ({ ...row, sortKey: sortKey(row.sortKey) }) as ListedPerson);
  return { rows, total: joined[0]?.totalCount ?? 0 };
}

export interface PendingInvitation {
  workspaceId: string;
  workspaceName: string;
  role: WorkspaceRole;
  invitedAt: Date;
  /** null when not recorded (older invitations, operators' additions). */
  invitedBy: { name: string | null; email: string } | null;
}

/** Invitations still INVITED addressed to an email, newest first, each with who sent it (the invitee may know: the mail named them). */
export async function pendingInvitations(db: Queryable, email: string): Promise<PendingInvitation[]> {
  const rows = await queryRows<Omit<PendingInvitation, 'invitedBy'> & { inviterName: string | null; inviterEmail: string | null }>(
    db,
    `SELECT m.workspace_id AS "workspaceId", w.name AS "workspaceName", m.role, m.invited_at AS "invitedAt",
            i.name AS "inviterName", i.email AS "inviterEmail"
       FROM ${PERSON_FROM} LEFT JOIN users i ON i.id = m.invited_by
      WHERE lower(u.email) = lower($1) AND m.status = 'INVITED'
      ORDER BY m.invited_at DESC`,
    [email],
  );
  return rows.map(({ inviterName, inviterEmail, ...row }) => ({
    ...row,
    invitedBy: inviterEmail === null ? null : { name: inviterName, email: inviterEmail },
  }));
}

// ---- Locks ------------------------------------------------------------------------------------

/**
 * Serialises the changes of who holds which workspace role or status (role changes, removals,
 * the operator's remove-admin): each takes this lock before it counts ADMINs, so two ADMINs
 * demoting each other at the same moment cannot both succeed. An advisory lock, not the
 * workspace row's: that row also takes every job event's sequence number.
 */
export async function lockMembershipChanges(tx: Queryable, workspaceId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('memberships'), hashtext($1))`, [workspaceId]);
}

export interface LockedMember {
  userId: string;
  email: string;
  role: WorkspaceRole;
  status: InvitationStatus;
}

/**
 * Memberships locked for the rest of the transaction, in user id order: FOR NO KEY UPDATE by
 * what changes them, FOR SHARE by what needs them to stay as they are (a person given a role
 * must not be removed meanwhile). Any status, REMOVED included.
 */
export function lockMembers(tx: Queryable, workspaceId: string, userIds: readonly string[], mode: LockMode): Promise<LockedMember[]> {
  return queryRows<LockedMember>(
    tx,
    `SELECT m.user_id AS "userId", u.email, m.role, m.status
       FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.workspace_id = $1 AND m.user_id = ANY($2::uuid[])
      ORDER BY m.user_id
        ${mode === 'update' ? 'FOR NO KEY UPDATE OF m' : 'FOR SHARE OF m'}`,
    [workspaceId, userIds],
  );
}

export type LockMode = 'update' | 'share';

/**
 * Memberships locked in ONE pass, in user id order, each in the strongest mode asked for it (a
 * row both shared and updated is updated): the actor's and the people a mutation names alike.
 * Locking the actor first and the others after, or a row FOR SHARE and then FOR NO KEY UPDATE,
 * lets two transactions wait on each other. Answers the rows that exist, by user id.
 */
export async function lockPeople(tx: Queryable, workspaceId: string, modes: ReadonlyMap<string, LockMode>): Promise<Map<string, LockedMember>> {
  const ids = [...modes.keys()].sort();
  const locked = new Map<string, LockedMember>();
  // Consecutive ids of one mode go in one statement: usually one or two statements in all.
  for (let start = 0; start < ids.length; ) {
    const mode = modes.get(ids[start]!)!;
    let end = start;
    while (end < ids.length && modes.get(ids[end]!) === mode) end++;
    for (const row of await lockMembers(tx, workspaceId, ids.slice(start, end), mode)) locked.set(row.userId, row);
    start = end;
  }
  return locked;
}

/**
 * Serialises a workspace's invitations and a person's, so that two calls cannot both pass a
 * daily cap. Only inviteUsers takes them, after the memberships it locks (its `lock` step),
 * the workspace's before the person's: no order to break.
 */
export async function lockInvitations(tx: Queryable, workspaceId: string, actorId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('invitations'), hashtext($1))`, [workspaceId]);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('invitations-by'), hashtext($1))`, [actorId]);
}

/** JOINED ADMINs other than `userId` (an INVITED ADMIN may never accept; a DECLINED one said no). */
export async function otherJoinedAdmins(tx: Queryable, workspaceId: string, userId: string): Promise<number> {
  const row = await queryOne<{ n: number }>(
    tx,
    `SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND user_id <> $2 AND role = 'ADMIN' AND status = 'JOINED'`,
    [workspaceId, userId],
  );
  return row!.n;
}

// ---- Changes ----------------------------------------------------------------------------------

export async function setRole(tx: Queryable, workspaceId: string, userId: string, role: WorkspaceRole): Promise<void> {
  await tx.query(`UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId, role]);
}

/** INVITED -> JOINED or DECLINED, with its date. */
export async function answerInvitation(tx: Queryable, workspaceId: string, userId: string, answer: 'JOINED' | 'DECLINED'): Promise<void> {
  await tx.query(
    answer === 'JOINED'
      ? `UPDATE memberships SET status = 'JOINED', joined_at = now() WHERE workspace_id = $1 AND user_id = $2`
      : `UPDATE memberships SET status = 'DECLINED', declined_at = now() WHERE workspace_id = $1 AND user_id = $2`,
    [workspaceId, userId],
  );
}

export async function markRemoved(tx: Queryable, workspaceId: string, userId: string): Promise<void> {
  await tx.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, userId]);
}

/** The accounts of these (clean) emails, made without a subject where missing (a first sign-in claims them): email -> id. */
export async function accountsFor(tx: Queryable, emails: readonly string[]): Promise<Map<string, string>> {
  await tx.query(`INSERT INTO users (id, email) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (lower(email)) DO NOTHING`, [
    emails.map(() => randomUUID()),
    emails,
  ]);
  const rows = await queryRows<{ id: string; email: string }>(tx, `SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])`, [emails]);
  return new Map(rows.map((u) => [u.email, u.id]));
}

/** Makes these people INVITED with the role, sent by `invitedBy`: new memberships, or again (from DECLINED or REMOVED) with a new invitedAt. */
export async function invite(
  tx: Queryable,
  workspaceId: string,
  fresh: readonly string[],
  again: readonly string[],
  role: WorkspaceRole,
  invitedBy: string,
): Promise<void> {
  if (again.length > 0) {
    await tx.query(
      `UPDATE memberships SET role = $3, status = 'INVITED', invited_at = now(), invited_by = $4, declined_at = NULL, joined_at = NULL, removed_at = NULL
        WHERE workspace_id = $1 AND user_id = ANY($2::uuid[])`,
      [workspaceId, again, role, invitedBy],
    );
  }
  if (fresh.length > 0) {
    await tx.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, invited_by)
       SELECT $1, id, $3, 'INVITED', now(), $4 FROM unnest($2::uuid[]) AS id`,
      [workspaceId, fresh, role, invitedBy],
    );
  }
}

/** The first ADMIN of a new workspace, JOINED at once. */
export async function addFounder(tx: Queryable, workspaceId: string, userId: string): Promise<void> {
  await tx.query(
    `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, 'ADMIN', 'JOINED', now(), now())`,
    [workspaceId, userId],
  );
}

// ---- The daily invitation cap -----------------------------------------------------------------

/**
 * Invitations sent in the last 24 hours are the workspace's inviteUsers audit entries of that
 * time, one per email, written with the invitation: re-inviting or removing people does not
 * take one back, as counting memberships' invited_at would (audit_log_invitations_idx).
 */
/** Who sends invitations: a workspace (in whose name the mail goes), or a person (across every workspace). */
export type Sender = { workspaceId: string } | { actorId: string };

const sentLastDay = (sender: Sender) =>
  `SELECT at FROM audit_log WHERE ${'workspaceId' in sender ? 'workspace_id' : 'actor_id'} = $1 AND action = 'inviteUsers' AND at > now() - interval '24 hours'`;
const senderId = (sender: Sender) => ('workspaceId' in sender ? sender.workspaceId : sender.actorId);

export async function invitationsLastDay(db: Queryable, sender: Sender): Promise<number> {
  return (await queryOne<{ n: number }>(db, `SELECT count(*)::int AS n FROM (${sentLastDay(sender)}) sent`, [senderId(sender)]))!.n;
}

/** Seconds until the `nth` oldest (0 = the oldest) invitation of the last 24 hours is a day old; undefined if there is none. */
export async function secondsUntilOlderThanDay(db: Queryable, sender: Sender, nth: number): Promise<number | undefined> {
  const row = await queryOne<{ s: number }>(
    db,
    `SELECT ceil(extract(epoch FROM at + interval '24 hours' - now()))::int AS s FROM (${sentLastDay(sender)}) sent ORDER BY at OFFSET $2 LIMIT 1`,
    [senderId(sender), nth],
  );
  return row?.s;
}

// ---- Accounts (sign-in) -----------------------------------------------------------------------

export interface Account {
  id: string;
  email: string;
  name: string | null;
}

export function accountBySubject(db: Queryable, sub: string): Promise<Account | undefined> {
  return queryOne(db, `SELECT id, email, name FROM users WHERE subject = $1`, [sub]);
}

/** Links an account made by an invitation (no subject yet) to the person signing in with its email. */
export function claimAccount(db: Queryable, sub: string, email: string, name: string | null): Promise<Account | undefined> {
  return queryOne(db, `UPDATE users SET subject = $1, name = COALESCE(name, $3) WHERE lower(email) = $2 AND subject IS NULL RETURNING id, email, name`, [
    sub,
    email,
    name,
  ]);
}

/** A new account; undefined when the subject or email is taken (a concurrent first sign-in). */
export function createAccount(db: Queryable, sub: string | null, email: string, name: string | null): Promise<Account | undefined> {
  return queryOne(db, `INSERT INTO users (id, subject, email, name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id, email, name`, [
    randomUUID(),
    sub,
    email,
    name,
  ]);
}

export async function accountIdByEmail(db: Queryable, email: string): Promise<string | undefined> {
  return (await queryOne<{ id: string }>(db, `SELECT id FROM users WHERE lower(email) = lower($1)`, [email]))?.id;
}

export async function subjectOf(db: Queryable, email: string): Promise<string | null> {
  return (await queryOne<{ subject: string | null }>(db, `SELECT subject FROM users WHERE lower(email) = $1`, [email]))?.subject ?? null;
}
