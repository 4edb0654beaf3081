// The words of the invitation card. Data (names come from users) goes in as text nodes only.

const ROLE_LABELS = { ADMIN: 'Admin', MEMBER: 'Member', WORKFORCE_MANAGER: 'Workforce manager', TASKER: 'Tasker' };
const roleLabel = (role) => ROLE_LABELS[role] ?? role;

/** A person as the mail named them: "Name (email)", or the email alone. */
const personLabel = (person) => (person.name ? `${person.name} (${person.email})` : person.email);

/** A paragraph of runs: strings as they are, { strong } emphasised. */
function paragraph(...runs) {
  const p = document.createElement('p');
  for (const run of runs) {
    if (typeof run === 'string') {
      p.append(run);
    } else {
      const strong = document.createElement('strong');
      strong.textContent = run.strong;
      p.append(strong);
    }
  }
  return p;
}

function invitedOn(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = new Date(iso).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
  const p = paragraph('Invited on ');
  p.append(time, '.');
  p.className = 'muted';
  return p;
}

/** Each state: a title, its paragraphs, and which actions show (answer, toActivity, switchAccount). */
export const views = {
  pending: (inv) => {
    const what = [' to join ', { strong: inv.workspaceName }, ' as ', { strong: roleLabel(inv.role) }, '.'];
    const who = inv.invitedBy ? paragraph({ strong: personLabel(inv.invitedBy) }, ' invited you', ...what) : paragraph('You were invited', ...what);
    return { title: `Join ${inv.workspaceName}?`, body: [who, invitedOn(inv.invitedAt)], answer: true };
  },
  accepted: (inv) => ({
    title: `Welcome to ${inv.workspaceName}`,
    body: [paragraph('You have joined ', { strong: inv.workspaceName }, ' as ', { strong: roleLabel(inv.role) }, '.')],
    toActivity: true,
  }),
  declined: (inv) => ({
    title: 'Invitation declined',
    body: [paragraph('You have declined the invitation to ', { strong: inv.workspaceName }, '. If you change your mind, ask to be invited again.')],
  }),
  joined: (workspace) => ({
    title: `You are a member of ${workspace.name}`,
    body: [paragraph('You have already joined ', { strong: workspace.name }, '.')],
    toActivity: true,
  }),
  none: (viewer) => ({
    title: 'No pending invitation',
    body: [paragraph('There is no pending invitation for ', { strong: viewer.email }, ' to this workspace. It may have been answered already, or sent to another address.')],
    switchAccount: true,
  }),
};
