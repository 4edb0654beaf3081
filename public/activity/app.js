// The Activity Center: sign in, pick a workspace, watch its jobs change live.
import { ApiError, JOBS, VIEWER, request } from './api.js';
import { JobFeed } from './feed.js';
import { JobsTable, STATUS_LABELS, TYPE_LABELS } from './table.js';
import { forgetToken, NO_LONGER_ACCEPTED, NOT_ACCEPTED, saveToken, savedToken, signInForm } from './session.js';

const PAGE_SIZE = 50;
const $ = (id) => document.getElementById(id);

const ui = {
  session: $('session'), workspace: $('workspace'), who: $('who'), signOut: $('sign-out'),
  connection: $('connection'), connectionText: $('connection-text'),
  activity: $('activity'), summary: $('summary'), pageError: $('page-error'),
  type: $('filter-type'), status: $('filter-status'),
  table: $('jobs'), empty: $('empty'), loadMore: $('load-more'),
  dialog: $('details'), dialogTitle: $('details-title'), dialogBody: $('details-body'),
};

const state = {
  token: null,
  workspaces: [],
  workspaceId: null,
  totalCount: 0,
  endCursor: null,
  hasNextPage: false,
  feed: null,
  /** Bumped by every (re)load: answers of an older one are dropped. */
  generation: 0,
};

const table = new JobsTable($('rows'), $('row-template'), showDetails);

// ---- sign-in -------------------------------------------------------------------------------

const signInSection = signInForm(signIn);

async function signIn(token) {
  let viewer;
  try {
    viewer = (await request(token, VIEWER)).viewer;
  } catch (error) {
    forgetToken();
    showSignIn(error.code === 'UNAUTHENTICATED' ? NOT_ACCEPTED : error.message);
    return;
  }
  state.token = token;
  saveToken(token);
  state.workspaces = viewer.workspaces;
  ui.who.textContent = viewer.name ? `${viewer.name} · ${viewer.email}` : viewer.email;
  ui.workspace.replaceChildren(...viewer.workspaces.map((w) => new Option(`${w.name} (${w.viewerRole.toLowerCase().replace('_', ' ')})`, w.id)));
  signInSection.hide();
  ui.session.hidden = false;
  ui.activity.hidden = false;
  if (viewer.workspaces.length === 0) {
    ui.workspace.disabled = true;
    showEmpty('You have not joined a workspace yet. Accept an invitation, or create one with the createWorkspace mutation.');
    ui.table.setAttribute('aria-busy', 'false');
    return;
  }
  ui.workspace.disabled = false;
  const wanted = readHash();
  const chosen = viewer.workspaces.find((w) => w.id === wanted.workspace) ?? viewer.workspaces[0];
  ui.type.value = wanted.type ?? '';
  ui.status.value = wanted.status ?? '';
  ui.workspace.value = chosen.id;
  openWorkspace(chosen.id);
}

function showSignIn(message = '') {
  stopFeed();
  state.token = null;
  ui.session.hidden = true;
  ui.activity.hidden = true;
  signInSection.show(message);
}

ui.signOut.addEventListener('click', () => {
  forgetToken();
  showSignIn();
});

// ---- workspace, filters and the list -------------------------------------------------------

function filter() {
  const types = ui.type.value ? [ui.type.value] : null;
  const statuses = ui.status.value ? [ui.status.value] : null;
  return types || statuses ? { types, statuses } : null;
}

function matches(job) {
  return (!ui.type.value || job.type === ui.type.value) && (!ui.status.value || job.status === ui.status.value);
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { workspace: params.get('workspace'), type: params.get('type'), status: params.get('status') };
}

function writeHash() {
  const params = new URLSearchParams({ workspace: state.workspaceId });
  if (ui.type.value) params.set('type', ui.type.value);
  if (ui.status.value) params.set('status', ui.status.value);
  history.replaceState(null, '', `#${params}`);
}

function openWorkspace(id) {
  state.workspaceId = id;
  writeHash();
  reload();
}

ui.workspace.addEventListener('change', () => openWorkspace(ui.workspace.value));
for (const select of [ui.type, ui.status]) {
  select.addEventListener('change', () => {
    writeHash();
    reload();
  });
}

/**
 * Reads the first page and the feed's position at that moment (eventCursor), then follows the
 * feed from exactly there: every change after the list arrives as an event, none is missed.
 */
async function reload() {
  const generation = ++state.generation;
  stopFeed();
  showConnection({ state: 'connecting' });
  ui.pageError.hidden = true;
  ui.table.setAttribute('aria-busy', 'true');
  let jobs;
  try {
    jobs = await fetchPage(null);
  } catch (error) {
    if (generation !== state.generation) return;
    return failed(error);
  }
  if (generation !== state.generation) return;
  table.clear();
  for (const job of jobs.nodes) table.put(job);
  state.totalCount = jobs.totalCount;
  setPage(jobs.pageInfo);
  ui.table.setAttribute('aria-busy', 'false');
  render();
  state.feed = new JobFeed({
    token: state.token,
    workspaceId: state.workspaceId,
    cursor: jobs.eventCursor,
    onEvent: (event) => generation === state.generation && applyEvent(event),
    onState: (s) => generation === state.generation && showConnection(s),
    onResync: () => generation === state.generation && reload(),
    onFatal: (message) => generation === state.generation && fatal(message),
  }).start();
}

async function fetchPage(after) {
  const data = await request(state.token, JOBS, { workspaceId: state.workspaceId, filter: filter(), first: PAGE_SIZE, after });
  if (!data.workspace) throw new ApiError('This workspace is not available to you any more.', 'NOT_FOUND');
  return data.workspace.jobs;
}

function setPage(pageInfo) {
  state.endCursor = pageInfo.endCursor;
  state.hasNextPage = pageInfo.hasNextPage;
  ui.loadMore.hidden = !pageInfo.hasNextPage;
}

ui.loadMore.addEventListener('click', async () => {
  const generation = state.generation;
  ui.loadMore.disabled = true;
  try {
    const jobs = await fetchPage(state.endCursor);
    if (generation !== state.generation) return;
    for (const job of jobs.nodes) if (!table.has(job.id)) table.put(job);
    setPage(jobs.pageInfo);
    render();
  } catch (error) {
    failed(error);
  } finally {
    ui.loadMore.disabled = false;
  }
});

function stopFeed() {
  state.feed?.stop();
  state.feed = null;
}

// ---- live changes --------------------------------------------------------------------------

/** One change from the feed: the event's status and progress are the job's at that point. */
function applyEvent(event) {
  const job = { ...event.job, status: event.status, progress: event.progress };
  const shown = table.has(job.id);
  if (!matches(job)) {
    if (shown) {
      table.remove(job.id);
      state.totalCount -= 1;
    }
  } else if (shown) {
    table.put(job, { flash: true });
  } else {
    // A job older than the rows loaded so far belongs to a page not read yet ("Load more" brings it).
    const oldest = table.oldest();
    if (!state.hasNextPage || oldest === null || job.createdAt >= oldest) table.put(job, { flash: true });
    state.totalCount += 1;
  }
  render();
}

function render() {
  const shown = table.size;
  const what = [ui.type.value && TYPE_LABELS[ui.type.value], ui.status.value && STATUS_LABELS[ui.status.value]].filter(Boolean).join(', ');
  const summary =
    `${state.totalCount} ${state.totalCount === 1 ? 'job' : 'jobs'}${what ? ` (${what.toLowerCase()})` : ''}` +
    (shown < state.totalCount ? `, ${shown} shown` : '');
  // A live region: touch it only when it says something new.
  if (ui.summary.textContent !== summary) ui.summary.textContent = summary;
  if (shown === 0) {
    showEmpty(what ? 'No job matches these filters.' : 'No jobs yet. Start one through the API, or run `npm run demo:jobs`.');
  } else {
    ui.empty.hidden = true;
  }
}

function showEmpty(text) {
  ui.empty.textContent = text;
  ui.empty.hidden = false;
}

const CONNECTION_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Not connected',
};

function showConnection({ state: s, retryInMs }) {
  ui.connection.dataset.state = s;
  ui.connectionText.textContent =
    s === 'reconnecting' && retryInMs !== undefined ? `Connection lost · retrying in ${Math.max(1, Math.round(retryInMs / 1000))} s` : CONNECTION_TEXT[s];
}

function fatal(message) {
  showConnection({ state: 'stopped' });
  showError(`${message} Sign in again to go on.`);
}

function failed(error) {
  if (error.code === 'UNAUTHENTICATED') return showSignIn(NO_LONGER_ACCEPTED);
  ui.table.setAttribute('aria-busy', 'false');
  showError(error.message);
}

function showError(message) {
  ui.pageError.textContent = message;
  ui.pageError.hidden = false;
}

// ---- the row actions -----------------------------------------------------------------------

function showDetails(kind, job) {
  const type = TYPE_LABELS[job.type] ?? job.type;
  const rows = [];
  if (kind === 'folder') {
    ui.dialogTitle.textContent = 'Storage folder';
    rows.push(['Folder', job.folder.name], ['Folder id', job.folder.id], ['Imported by', `${type} ${job.id}`]);
  } else {
    ui.dialogTitle.textContent = `${type} failed`;
    rows.push(['Message', job.errorMessage ?? '(none given)']);
  }
  const list = document.createElement('dl');
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  const body = [list];
  if (kind === 'error') {
    const details = document.createElement('pre');
    details.className = 'details';
    details.textContent = job.errorDetails ?? 'No details were reported.';
    details.tabIndex = 0;
    details.setAttribute('aria-label', 'Error details');
    body.push(details);
  }
  ui.dialogBody.replaceChildren(...body);
  ui.dialog.showModal();
}

// ---- start -----------------------------------------------------------------------------------

const saved = savedToken();
if (saved) signIn(saved);
else showSignIn();
