import { isUniqueViolation, type Queryable } from '../../database/sql';
import type { Context } from '../../server/context';
import { AppError, conflict, notFound } from '../../server/errors';
import { rateLimited } from '../../server/limits/rate-limit';
import { enqueueMail } from '../mail/mail.data';
import { runMutation } from '../common/mutation';
import { groupsManagedBy } from '../groups/groups.data';
import { keepsWorkspaceCap } from '../workspaces/workspace.service';
import { workspaceName } from '../workspaces/workspaces.data';
import { invitationMail } from './invitation-mail';
import type { InviteUsersInput } from './user.inputs';
import { accountsFor, answerInvitation as answer, invitationsLastDay, invite, lockInvitations, secondsUntilOlderThanDay, type Sender } from './users.data';
import { workspaceUsers } from './users.loaders';
import type { WorkspaceUser } from './workspace-user.types';

/**
 * inviteUsers: every email gets an INVITED membership with the role (the rule inviteUsers says
 * who may give which) and an invitation mail, all or nothing. An email with no account yet gets
 * one without a subject, which the person's first sign-in claims. An email INVITED or JOINED
 * already is CONFLICT; a DECLINED or REMOVED one is invited again, with a new invitedAt. A
 * workspace sends at most INVITATIONS_PER_DAY in any 24 hours (keepsDailyCap).
 */
export async function inviteUsers(ctx: Context, input: InviteUsersInput): Promise<WorkspaceUser[]> {
  const viewer = ctx.viewer!;
  const { workspaceId, emails, role } = input;
  const perDay = ctx.services.config.limits.invitationsPerDay;
  let userIds: string[];
  // The invitees' accounts (made for new emails), found before their memberships are locked.
  let ids: string[] = [];
  try {
    userIds = await runMutation(ctx, {
      rule: 'inviteUsers',
      args: { input },
      workspaceId,
      what: 'workspace',
      people: async (tx) => {
        const idOf = await accountsFor(tx, emails);
        ids = emails.map((email) => idOf.get(email)!);
        return { update: ids };
      },
      lock: async (tx, people) => {
        if (perDay > 0) await lockInvitations(tx, workspaceId, viewer.userId);
        return people;
      },
      change: async (tx, people) => {
        const name = await workspaceName(tx, workspaceId);
        if (name === undefined) throw notFound('workspace');
        const existing = ids.flatMap((id) => people.get(id) ?? []);
        const live = new Set(existing.filter((m) => m.status === 'INVITED' || m.status === 'JOINED').map((m) => m.userId));
        if (live.size > 0) {
          const taken = emails.filter((_email, i) => live.has(ids[i]));
          throw conflict(`Already invited or joined: ${taken.join(', ')}`, { field: 'input.emails', emails: taken });
        }
        const again = new Set(existing.map((m) => m.userId));
        if (role === 'TASKER') await refuseTaskerManagers(tx, workspaceId, [...again]);
        if (perDay > 0) {
          await keepsDailyCap(tx, { workspaceId }, emails.length, perDay);
          await keepsDailyCap(tx, { actorId: viewer.userId }, emails.length, perDay);
        }
        await invite(tx, workspaceId, ids.filter((id) => !again.has(id)), [...again], role, viewer.userId);
        const publicUrl = ctx.services.config.publicUrl;
        await enqueueMail(tx, emails.map((to) => invitationMail({ to, workspaceId, workspaceName: name, role, inviter: viewer, publicUrl })));
        return {
          result: ids,
          audit: ids.map((id, i) => ({
            workspaceId,
            actorId: viewer.userId,
            action: 'inviteUsers',
            targetType: 'WorkspaceUser',
            targetId: id,
            details: { email: emails[i], role, invitedAgain: again.has(id) },
          })),
          afterCommit: () => ctx.services.mailer.kick(),
        };
      },
    });
  } catch (error) {
    // Someone invited one of these emails at the same moment.
    if (isUniqueViolation(error)) throw conflict('One of these emails was invited at the same moment', { field: 'input.emails' });
    throw error;
  }
  const people = await workspaceUsers(ctx).loadMany(userIds.map((userId) => ({ workspaceId, userId })));
  return people as WorkspaceUser[];
}

/**
 * INVITATIONS_PER_DAY: the invitations of the last 24 hours and these may not pass it, for the
 * workspace (the mail goes in its name, to people who did not ask) nor for the person sending
 * (who could otherwise make workspaces to send more). RATE_LIMITED, retryAfter: when enough of
 * them are a day old (a day if these alone pass it).
 */
async function keepsDailyCap(tx: Queryable, sender: Sender, wanted: number, max: number): Promise<void> {
  const sent = await invitationsLastDay(tx, sender);
  if (sent + wanted <= max) return;
  const freed = wanted > max ? undefined : await secondsUntilOlderThanDay(tx, sender, sent + wanted - max - 1);
  const retryAfter = Math.max(1, freed ?? 86_400);
  const who = 'workspaceId' in sender ? 'A workspace' : 'A person';
  const message = `${who} may send at most ${max} invitations in 24 hours (${sent} sent); try again later`;
  throw rateLimited(retryAfter, message, { limit: 'invitationsPerDay', max, per: 'workspaceId' in sender ? 'workspace' : 'person' });
}

/**
 * A person invited again keeps the groups they were in (a DECLINED one was never taken out); as
 * a TASKER they could manage none (a TASKER sees no other person): INVARIANT, naming the groups,
 * as changing a manager's role to TASKER is.
 */
async function refuseTaskerManagers(tx: Queryable, workspaceId: string, userIds: string[]): Promise<void> {
  for (const userId of userIds) {
    const groups = await groupsManagedBy(tx, workspaceId, userId);
    if (groups.length > 0) throw new AppError('INVARIANT', 'A group manager cannot be a TASKER: take them off as manager of these groups first', { userId, groups });
  }
}

/**
 * acceptInvitation / declineInvitation: the invitee alone (the rule answerInvitation). Only an
 * INVITED membership can be answered: answering twice, or once JOINED, is CONFLICT, with
 * extensions.status saying where the invitation stands.
 */
export async function answerInvitation(ctx: Context, workspaceId: string, reply: 'JOINED' | 'DECLINED'): Promise<WorkspaceUser> {
  const userId = ctx.viewer!.userId;
  await runMutation(ctx, {
    rule: 'answerInvitation',
    args: { workspaceId },
    workspaceId,
    what: 'invitation',
    people: () => ({ update: [userId] }),
    lock: (_tx, people) => people.get(userId)!,
    change: async (tx, current) => {
      if (current.status !== 'INVITED') {
        throw conflict(
          current.status === 'JOINED' ? 'You have joined this workspace already' : 'You have declined this invitation already; ask to be invited again',
          { status: current.status },
        );
      }
      await answer(tx, workspaceId, userId, reply);
      if (reply === 'JOINED') await keepsWorkspaceCap(tx, userId);
      return {
        result: null,
        audit: [
          {
            workspaceId,
            actorId: userId,
            action: reply === 'JOINED' ? 'acceptInvitation' : 'declineInvitation',
            targetType: 'WorkspaceUser',
            targetId: userId,
            details: { from: 'INVITED', to: reply, role: current.role },
          },
        ],
      };
    },
  });
  return (await workspaceUsers(ctx).load({ workspaceId, userId }))!;
}
