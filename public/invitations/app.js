// The invitation page: sign in, see where the invitation to the workspace in the path stands, answer it.
import { request } from '/activity/api.js';
import { forgetToken, NO_LONGER_ACCEPTED, NOT_ACCEPTED, saveToken, savedToken, signInForm } from '/activity/session.js';
import { views } from './view.js';

// The path is /invitations/<workspaceId> (the service serves it for UUIDs only); ids compare lower-cased.
const WORKSPACE_ID = (location.pathname.split('/')[2] ?? '').toLowerCase();

const VIEWER = `query InvitationViewer {
  viewer { email name invitations { workspaceId workspaceName role invitedAt invitedBy { name email } } workspaces { id name } }
}`;
const ANSWERS = {
  accept: {
    mutation: `mutation AcceptInvitation($workspaceId: ID!) { acceptInvitation(workspaceId: $workspaceId) { status } }`,
    view: 'accepted',
    doing: 'Accepting…',
    done: 'Invitation accepted.',
  },
  decline: {
    mutation: `mutation DeclineInvitation($workspaceId: ID!) { declineInvitation(workspaceId: $workspaceId) { status } }`,
    view: 'declined',
    doing: 'Declining…',
    done: 'Invitation declined.',
  },
};

const $ = (id) => document.getElementById(id);
const ui = {
  session: $('session'), who: $('who'), signOut: $('sign-out'),
  card: $('invitation'), title: $('invitation-title'), body: $('invitation-body'),
  answer: $('answer'), accept: $('accept'), decline: $('decline'),
  toActivity: $('to-activity'), switchAccount: $('switch'), switchButton: $('switch-account'),
  status: $('status'), pageError: $('page-error'),
};

let token = null;
/** The INVITED invitation to this workspace, while there is one. */
let invitation = null;
const signInSection = signInForm(signIn);

async function signIn(candidate) {
  let viewer;
  try {
    viewer = (await request(candidate, VIEWER)).viewer;
  } catch (error) {
    if (error.code !== 'UNAUTHENTICATED') return showSignIn(error.message);
    forgetToken();
    return showSignIn(NOT_ACCEPTED);
  }
  token = candidate;
  saveToken(candidate);
  ui.who.textContent = viewer.name ? `${viewer.name} · ${viewer.email}` : viewer.email;
  signInSection.hide();
  ui.session.hidden = false;
  ui.card.hidden = false;
  showViewer(viewer);
}

function showSignIn(message = '') {
  token = null;
  ui.session.hidden = true;
  ui.card.hidden = true;
  ui.status.textContent = ui.pageError.textContent = '';
  signInSection.show(message);
}

/** The pending invitation, else membership, else nothing: what the viewer can do here. */
function showViewer(viewer, options) {
  invitation = viewer.invitations.find((i) => i.workspaceId.toLowerCase() === WORKSPACE_ID) ?? null;
  const joined = viewer.workspaces.find((w) => w.id.toLowerCase() === WORKSPACE_ID);
  if (invitation) show(views.pending(invitation), options);
  else if (joined) show(views.joined(joined), options);
  else show(views.none(viewer), options);
}

function show(view, { focus = false } = {}) {
  ui.title.textContent = view.title;
  ui.body.replaceChildren(...view.body);
  ui.answer.hidden = !view.answer;
  ui.toActivity.hidden = !view.toActivity;
  ui.switchAccount.hidden = !view.switchAccount;
  ui.card.setAttribute('aria-busy', 'false');
  // The buttons just pressed may be gone: move focus to what replaced them.
  if (focus) ui.title.focus();
}

async function answer(kind) {
  const { mutation, view, doing, done } = ANSWERS[kind];
  ui.accept.disabled = ui.decline.disabled = true;
  ui.pageError.textContent = '';
  ui.status.textContent = doing;
  try {
    await request(token, mutation, { workspaceId: WORKSPACE_ID });
    ui.status.textContent = done;
    show(views[view](invitation), { focus: true });
  } catch (error) {
    ui.status.textContent = '';
    await failed(error);
  } finally {
    ui.accept.disabled = ui.decline.disabled = false;
  }
}

/** An answer refused: in words; where the invitation moved meanwhile (CONFLICT, NOT_FOUND), shows where it stands now. */
async function failed(error) {
  if (error.code === 'UNAUTHENTICATED') {
    forgetToken();
    return showSignIn(NO_LONGER_ACCEPTED);
  }
  ui.pageError.textContent = error.message;
  if (error.code !== 'CONFLICT' && error.code !== 'NOT_FOUND') return;
  try {
    showViewer((await request(token, VIEWER)).viewer, { focus: true });
  } catch {
    // The first error says enough.
  }
}

function signOut() {
  forgetToken();
  showSignIn();
}

ui.signOut.addEventListener('click', signOut);
ui.switchButton.addEventListener('click', signOut);
ui.accept.addEventListener('click', () => answer('accept'));
ui.decline.addEventListener('click', () => answer('decline'));
ui.toActivity.querySelector('a').href = `/activity/#workspace=${encodeURIComponent(WORKSPACE_ID)}`;

const saved = savedToken();
if (saved) signIn(saved);
else showSignIn();
