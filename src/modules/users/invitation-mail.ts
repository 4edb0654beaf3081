import type { OutgoingMail } from '../mail/mail.data';
import type { WorkspaceRole } from './membership.entity';

/** Where an invitee answers: the invitation page, which signs them in first (src/web/invitation-page.ts). */
export function acceptLink(publicUrl: string, workspaceId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/invitations/${workspaceId}`;
}

/** Text from a token claim or a name, made safe for one line of a mail. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

export function invitationMail(args: {
  to: string;
  workspaceId: string;
  workspaceName: string;
  role: WorkspaceRole;
  inviter: { email: string; name: string | null };
  publicUrl: string;
}): OutgoingMail {
  const inviter = args.inviter.name ? `${oneLine(args.inviter.name)} (${args.inviter.email})` : args.inviter.email;
  const workspace = oneLine(args.workspaceName);
  return {
    to: args.to,
    subject: `You are invited to the workspace ${workspace}`,
    body: [
      `${inviter} invited you to join the workspace "${workspace}" as ${args.role}.`,
      '',
      `Accept the invitation: ${acceptLink(args.publicUrl, args.workspaceId)}`,
      '',
      `Sign in as ${args.to} to accept or decline it. If you did not expect this invitation, ignore this mail.`,
      '',
    ].join('\n'),
  };
}
