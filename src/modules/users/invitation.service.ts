import { randomUUID } from 'node:crypto';
import { isUniqueViolation, queryOne, queryRows } from '../../database/sql';
import type { Context } from '../../server/context';
import { badInput, conflict, notFound } from '../../server/errors';
import { audit } from '../audit/audit';
import { normalizeEmail } from '../common/validation';
import { enqueueMail } from '../mail/outbox';
import { invitationMail } from './invitation-mail';
import type { InvitationStatus } from './membership.entity';
import type { InviteUsersInput } from './user.inputs';
import { workspaceUsers } from './workspace-user.loader';
import type { WorkspaceUser } from './workspace-user.types';

export const MAX_INVITATIONS = 100;

/** Trimmed, lower-cased, checked and de-duplicated; one bad email fails the whole list, naming every bad one. */
export function cleanEmails(values: unknown, field = 'input.emails'): string[] {
  if (!Array.isArray(values) || values.length === 0) throw badInput(field, 'Name at least one email');
  if (values.length > MAX_INVITATIONS) throw badInput(field, `At most ${MAX_INVITATIONS} emails at once`);
  const emails = new Set<string>();
  const invalid: unknown[] = [];
  for (const value of values) {
    const email = typeof value === 'string' ? normalizeEmail(value) : null;
    if (email) emails.add(email);
    else invalid.push(value);
  }
  if (invalid.length > 0) {
    const shown = invalid.slice(0, 5).map((v) => JSON.stringify(String(v).slice(0, 100)));
    throw badInput(field, `Not a valid email: ${shown.join(', ')}${invalid.length > 5 ? ', ...' : ''}`, { invalid });
  }
  return [...emails];
}

/**
 * inviteUsers: every email gets an INVITED membership with the role (the rule has checked who
 * may give it) and an invitation mail, all or nothing. An email with no account yet gets a
 * users row without a subject, which the person's first sign-in claims. An email INVITED or
 * JOINED already is CONFLICT; a DECLINED or removed one is invited again, with a new invitedAt.
 */
export async function inviteUsers(ctx: Context, input: InviteUsersInput): Promise<WorkspaceUser[]> {
  const viewer = ctx.viewer!;
  const emails = cleanEmails(input.emails);
  const { workspaceId, role } = input;
  let userIds: string[];
  try {
    userIds = await ctx.db.transaction(async (tx) => {
      const workspace = await queryOne<{ name: string }>(tx, `SELECT name FROM workspaces WHERE id = $1`, [workspaceId]);
      if (!workspace) throw notFound('workspace');
      await tx.query(
        `INSERT INTO users (id, email) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (lower(email)) DO NOTHING`,
        [emails.map(() => randomUUID()), emails],
      );
      const users = await queryRows<{ id: string; email: string }>(
        tx,
        `SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])`,
        [emails],
      );
      const idOf = new Map(users.map((u) => [u.email, u.id]));
      const ids = emails.map((email) => idOf.get(email)!);

      const existing = await queryRows<{ userId: string; status: InvitationStatus; removedAt: Date | null }>(
        tx,
        `SELECT user_id AS "userId", status, removed_at AS "removedAt" FROM memberships
          WHERE workspace_id = $1 AND user_id = ANY($2::uuid[]) FOR NO KEY UPDATE`,
        [workspaceId, ids],
      );
      const live = new Set(existing.filter((m) => m.removedAt === null && m.status !== 'DECLINED').map((m) => m.userId));
      if (live.size > 0) {
        const taken = emails.filter((_email, i) => live.has(ids[i]));
        throw conflict(`Already invited or joined: ${taken.join(', ')}`, { field: 'input.emails', emails: taken });
      }
      const again = new Set(existing.map((m) => m.userId));
      if (again.size > 0) {
        await tx.query(
          `UPDATE memberships SET role = $3, status = 'INVITED', invited_at = now(), declined_at = NULL, joined_at = NULL, removed_at = NULL
            WHERE workspace_id = $1 AND user_id = ANY($2::uuid[])`,
          [workspaceId, [...again], role],
        );
      }
      const fresh = ids.filter((id) => !again.has(id));
      if (fresh.length > 0) {
        await tx.query(
          `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at)
           SELECT $1, id, $3, 'INVITED', now() FROM unnest($2::uuid[]) AS id`,
          [workspaceId, fresh, role],
        );
      }
      await enqueueMail(
        tx,
        emails.map((to) =>
          invitationMail({ to, workspaceId, workspaceName: workspace.name, role, inviter: viewer, publicUrl: ctx.services.config.publicUrl }),
        ),
      );
      await audit(
        tx,
        ...ids.map((id, i) => ({
          workspaceId,
          actorId: viewer.userId,
          action: 'inviteUsers',
          targetType: 'WorkspaceUser',
          targetId: id,
          details: { email: emails[i], role, invitedAgain: again.has(id) },
        })),
      );
      return ids;
    });
  } catch (error) {
    // Someone invited one of these emails at the same moment.
    if (isUniqueViolation(error)) throw conflict('One of these emails was invited at the same moment', { field: 'input.emails' });
    throw error;
  }
  ctx.services.mailer.kick();
  const people = await workspaceUsers(ctx).loadMany(userIds.map((userId) => ({ workspaceId, userId })));
  return people as WorkspaceUser[];
}

/**
 * acceptInvitation / declineInvitation: the invitee alone (the rule found their membership).
 * Only an INVITED membership can be answered: answering twice, or answering once JOINED, is
 * CONFLICT, with extensions.status saying where the invitation stands.
 */
export async function answerInvitation(ctx: Context, workspaceId: string, answer: 'JOINED' | 'DECLINED'): Promise<WorkspaceUser> {
  const userId = ctx.viewer!.userId;
  await ctx.db.transaction(async (tx) => {
    const current = await queryOne<{ status: InvitationStatus; role: string }>(
      tx,
      `SELECT status, role FROM memberships WHERE workspace_id = $1 AND user_id = $2 AND removed_at IS NULL FOR NO KEY UPDATE`,
      [workspaceId, userId],
    );
    if (!current) throw notFound('invitation');
    if (current.status !== 'INVITED') {
      throw conflict(
        current.status === 'JOINED' ? 'You have joined this workspace already' : 'You have declined this invitation already; ask to be invited again',
        { status: current.status },
      );
    }
    await tx.query(
      answer === 'JOINED'
        ? `UPDATE memberships SET status = 'JOINED', joined_at = now() WHERE workspace_id = $1 AND user_id = $2`
        : `UPDATE memberships SET status = 'DECLINED', declined_at = now() WHERE workspace_id = $1 AND user_id = $2`,
      [workspaceId, userId],
    );
    await audit(tx, {
      workspaceId,
      actorId: userId,
      action: answer === 'JOINED' ? 'acceptInvitation' : 'declineInvitation',
      targetType: 'WorkspaceUser',
      targetId: userId,
      details: { from: 'INVITED', to: answer, role: current.role },
    });
  });
  ctx.access.clear();
  const user = await workspaceUsers(ctx).load({ workspaceId, userId });
  return user!;
}
