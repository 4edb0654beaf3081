import type { DataSource, EntityManager } from 'typeorm';
import { Access } from '../../authorization/access';
import { authorize, refusal } from '../../authorization/guard';
import type { RuleName } from '../../authorization/policy';
import { appendJobEvent, type JobEventSource } from '../../events/job-event-log';
import type { Context } from '../../server/context';
import { notFound } from '../../server/errors';
import { audit, type AuditRecord } from '../audit/audit.data';
import { lockMembershipChanges, lockPeople, type LockedMember, type LockMode } from '../users/users.data';

/**
 * THE path of every mutation (its input was checked at the boundary, input-checks.ts):
 *
 *   transaction -> lock -> the rule again under the locks -> change -> audit -> job events
 *   -> (Idempotency-Key) committed -> commit -> publish -> forget the request's caches
 *
 * Locks are taken in one order everywhere, so that two mutations never wait on each other in
 * a circle: the workspace's membership lock (changes of workspace roles only), the memberships
 * of the actor (FOR SHARE: a demotion or removal waits for this commit) and of the people the
 * change names (`people`), all in one pass in user id order; then the groups, resources and
 * jobs the change touches (`lock`, in that order), and last the workspace row
 * (job events take their sequence number there). The rule is then checked again with the facts
 * read through the transaction, and those reads lock what they read (authorization/access.ts):
 * whatever was true when the request arrived but is not by now is refused, and what it rests
 * on cannot change before the commit.
 */
export interface MutationSteps<L, R> {
  /** The operation's rule, and what the guard checked it against. */
  rule: RuleName;
  args: Record<string, any>;
  parent?: unknown;
  /** The workspace the actor acts in; absent only where there is none yet (createWorkspace). */
  workspaceId?: string;
  /** What NOT_FOUND names when the rule no longer sees the object. */
  what?: string;
  /** Changes who holds which workspace role or status: one such change per workspace at a time. */
  changesMemberships?: boolean;
  /** The people whose memberships the change needs held (`share`) or changes (`update`): locked with the actor's, in one ordered pass. */
  people?(tx: EntityManager): PeopleToLock | Promise<PeopleToLock>;
  /**
   * Locks the other rows the change reads and writes (groups, resources, jobs, in that order),
   * given the people locked. What it locks it may hand to the transaction's `access` (a job's
   * facts): the rule's re-check then reads the locked row instead of reading it again.
   */
  lock?(tx: EntityManager, people: Map<string, LockedMember>, access: Access): Promise<L> | L;
  change(tx: EntityManager, locked: L, txCtx: Context): Promise<Change<R>>;
}

export interface PeopleToLock {
  update?: readonly string[];
  share?: readonly string[];
}

export interface Change<R> {
  result: R;
  audit?: AuditRecord[];
  /** Jobs whose change the feed delivers, in order (each gets its event and sequence number). */
  jobEvents?: JobEventSource[];
  /** Work for after the commit (wake the mailer, close a removed person's sockets). */
  afterCommit?: () => void;
}

export async function runMutation<L, R>(ctx: Context, steps: MutationSteps<L, R>): Promise<R> {
  try {
    const { change, seq, workspaceId } = await ctx.db.transaction(async (tx) => {
      if (steps.changesMemberships && steps.workspaceId) await lockMembershipChanges(tx, steps.workspaceId);
      const txCtx = transactionContext(ctx, tx);
      const people = await lockMemberships(ctx, txCtx, tx, steps);
      const locked = steps.lock ? await steps.lock(tx, people, txCtx.access) : (undefined as L);
      const verdict = await authorize(txCtx, steps.rule, steps.parent, steps.args);
      if (verdict === 'hidden') throw notFound(steps.what);
      if (verdict !== true) throw refusal(ctx, steps.rule);
      const change = await steps.change(tx, locked, txCtx);
      // Sent with an Idempotency-Key: that it happened commits with it (a retry never runs it
      // twice). Before the job events: they take the workspace row's lock, held until commit.
      await ctx.idempotency?.committed(tx);
      const seq = await recordChange(tx, change);
      return { change, seq, workspaceId: change.jobEvents?.[0]?.workspaceId };
    });
    if (seq !== null && workspaceId) ctx.services.jobFeed.published(workspaceId, seq);
    change.afterCommit?.();
    return change.result;
  } finally {
    forget(ctx);
  }
}

/**
 * The memberships the change needs held, locked before anything else. When it names no one, only
 * the actor's: the rule's own read of it through the transaction locks it (FOR SHARE), so it is
 * read once, not twice.
 */
async function lockMemberships<L, R>(ctx: Context, txCtx: Context, tx: EntityManager, steps: MutationSteps<L, R>): Promise<Map<string, LockedMember>> {
  if (!steps.workspaceId) return new Map();
  const named = await steps.people?.(tx);
  if (!named && ctx.viewer) {
    const m = await txCtx.access.membership(steps.workspaceId);
    return new Map(m ? [[m.userId, { userId: m.userId, email: ctx.viewer.email, role: m.role, status: m.status }]] : []);
  }
  return lockPeople(tx, steps.workspaceId, lockModes(ctx, named));
}

/** The actor's membership held (FOR SHARE: a demotion or removal waits for this commit) unless the change updates it, and the people named. */
function lockModes(ctx: Context, people: PeopleToLock = {}): Map<string, LockMode> {
  const modes = new Map<string, LockMode>();
  if (ctx.viewer) modes.set(ctx.viewer.userId, 'share');
  for (const id of people.share ?? []) modes.set(id, 'share');
  for (const id of people.update ?? []) modes.set(id, 'update');
  return modes;
}

/** Writes a change's audit entries and job events (last: their numbers are taken on the workspace row); answers the last event's number. */
export async function recordChange(tx: EntityManager, change: Change<unknown>): Promise<number | null> {
  if (change.audit?.length) await audit(tx, ...change.audit);
  let seq: number | null = null;
  for (const job of change.jobEvents ?? []) seq = await appendJobEvent(tx, job);
  return seq;
}

/** The request's context, reading through the transaction and locking what the rules read. */
function transactionContext(ctx: Context, tx: EntityManager): Context {
  return { ...ctx, db: tx as unknown as DataSource, access: new Access(ctx.viewer, tx, { locking: true }), loaders: new Map() };
}

/**
 * Forget every fact and row this request has read, so that what the mutation answers (and any
 * later mutation of the same request) reads the state it left.
 */
export function forget(ctx: Context): void {
  ctx.access.clear();
  ctx.loaders.clear();
}
