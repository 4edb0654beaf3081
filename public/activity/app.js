// The Activity Center: sign in, pick a workspace, watch its jobs change live, and act on them.
import { ApiError, CANCEL_JOB, FEED_HEAD, JOB, JOBS, PEOPLE, RETRY_JOB, VIEWER, request } from './api.js';
import { ConnectionStatus } from './connection-status.js';
import { confirmCancel, showDetails } from './dialogs.js';
import { JobFeed } from './feed.js';
import { JobsTable, STATUS_LABELS, TYPE_LABELS } from './table.js';
import { forgetToken, NO_LONGER_ACCEPTED, NOT_ACCEPTED, saveToken, savedToken, signInForm } from './session.js';
import { inView, jobFilter, jobOrder, readView, writeView } from './view-state.js';

const $ = (id) => document.getElementById(id);

const ui = {
  session: $('session'), workspace: $('workspace'), who: $('who'), signOut: $('sign-out'),
  activity: $('activity'), summary: $('summary'), pageError: $('page-error'), staleNote: $('stale-note'),
  news: $('news'), newsText: $('news-text'), newsShow: $('news-show'),
  userField: $('filter-user-field'),
  table: $('jobs'), empty: $('empty'),
  pageSize: $('page-size'), pageOf: $('page-of'), prev: $('page-prev'), next: $('page-next'),
};
/** The view's controls, by their key in the URL. */
const controls = {
  type: $('filter-type'), status: $('filter-status'), user: $('filter-user'), from: $('filter-from'), to: $('filter-to'),
  sort: $('sort-field'), dir: $('sort-dir'), size: ui.pageSize,
};

const state = {
  token: null,
  workspaces: [],
  view: readView(),
  /** Cursors of the pages read so far: page N (from 0) is read `after: cursors[N]`. */
  cursors: [null],
  page: 0,
  totalCount: 0,
  hasNextPage: false,
  /** Jobs changed on other pages since this one was read (the "Show" notice). */
  changedElsewhere: new Set(),
  feed: null,
  /** The connection dropped since the list was read: the table may be out of date. */
  stale: false,
  /** A page is being read. */
  loading: false,
  /** The workspace whose people the "run by" filter lists. */
  peopleOf: null,
  /** Bumped by every (re)load: answers of an older one are dropped. */
  generation: 0,
};

const table = new JobsTable($('rows'), $('row-template'), onRowAction);

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
  state.peopleOf = null;
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
  showView(readView());
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

// ---- the view: workspace, filters, sort, page size (all in the URL) ---------------------------

const workspaceOf = (id) => state.workspaces.find((w) => w.id === id);

/** Shows a view (from the URL): its workspace, its controls, its first page. */
function showView(view) {
  const workspace = workspaceOf(view.workspace) ?? state.workspaces[0];
  view.workspace = workspace.id;
  const isAdmin = workspace.viewerRole === 'ADMIN';
  if (!isAdmin) view.user = ''; // others see only their own jobs: nothing to choose
  state.view = view;
  ui.workspace.value = workspace.id;
  ui.userField.hidden = !isAdmin;
  for (const [key, control] of Object.entries(controls)) if (key !== 'user') control.value = view[key];
  controls.user.value = view.user;
  if (state.peopleOf !== workspace.id) loadPeople(workspace, view.user);
  writeView(view);
  resetPages();
  reload();
}

/** The "run by" choices: the workspace's people, for its ADMINs. */
async function loadPeople(workspace, selected) {
  state.peopleOf = workspace.id;
  controls.user.replaceChildren(new Option('Anyone', ''));
  if (workspace.viewerRole !== 'ADMIN') return;
  if (selected) controls.user.append(new Option('(loading…)', selected)); // keeps the URL's choice while loading
  controls.user.value = selected;
  let people = [];
  try {
    people = (await request(state.token, PEOPLE, { workspaceId: workspace.id })).workspace?.users.nodes ?? [];
  } catch {
    state.peopleOf = null; // the filter still works with the id from the URL; try again with the next view
  }
  if (state.view.workspace !== workspace.id) return;
  controls.user.replaceChildren(new Option('Anyone', ''), ...people.map((p) => new Option(p.name ? `${p.name} (${p.email})` : p.email, p.id)));
  controls.user.value = state.view.user;
}

function viewFromControls() {
  const view = { workspace: ui.workspace.value };
  for (const [key, control] of Object.entries(controls)) view[key] = control.value;
  return view;
}

ui.workspace.addEventListener('change', () => {
  const view = { ...readView(), workspace: ui.workspace.value, user: '' };
  writeView(view, { push: true });
  showView(view);
});
for (const control of Object.values(controls)) {
  control.addEventListener('change', () => {
    // A date input fires change while typed: only whole dates (or empty) count.
    if (control.type === 'date' && control.value && !control.checkValidity()) return;
    const view = viewFromControls();
    writeView(view, { push: true });
    showView(readView());
  });
}
window.addEventListener('popstate', () => state.token && showView(readView()));

// ---- pages -----------------------------------------------------------------------------------

function resetPages() {
  state.cursors = [null];
  state.page = 0;
}

ui.next.addEventListener('click', () => {
  if (!state.hasNextPage) return;
  state.page += 1;
  reload();
});
ui.prev.addEventListener('click', () => {
  if (state.page === 0) return;
  state.cursors.length = state.page; // drop the cursor of the page we leave
  state.page -= 1;
  reload();
});

function renderPager() {
  const size = Number(state.view.size);
  const pages = Math.max(1, Math.ceil(state.totalCount / size));
  ui.pageOf.textContent = `Page ${state.page + 1} of ${Math.max(pages, state.page + 1)}`;
  ui.prev.disabled = state.page === 0;
  ui.next.disabled = !state.hasNextPage;
}

// ---- the list --------------------------------------------------------------------------------

/**
 * Reads the current page and the feed's position at that moment (eventCursor), then follows the
 * feed from exactly there: every change after the list arrives as an event, none is missed.
 */
async function reload() {
  const generation = ++state.generation;
  stopFeed();
  showConnection({ state: 'connecting' });
  ui.pageError.hidden = true;
  setLoading(true);
  setStale(false);
  ui.prev.disabled = ui.next.disabled = true;
  let jobs;
  try {
    jobs = await fetchPage(state.cursors[state.page]);
  } catch (error) {
    if (generation !== state.generation) return;
    setLoading(false);
    return failed(error);
  }
  if (generation !== state.generation) return;
  table.clear();
  for (const job of jobs.nodes) table.put(job);
  state.totalCount = jobs.totalCount;
  state.hasNextPage = jobs.pageInfo.hasNextPage;
  state.cursors[state.page + 1] = jobs.pageInfo.endCursor;
  state.changedElsewhere.clear();
  setLoading(false);
  render();
  const workspaceId = state.view.workspace;
  state.feed = new JobFeed({
    token: state.token,
    workspaceId,
    cursor: jobs.eventCursor,
    onEvent: (event) => generation === state.generation && applyEvent(event),
    onState: (s) => generation === state.generation && showConnection(s),
    onResync: () => generation === state.generation && reload(),
    onFatal: (message) => generation === state.generation && fatal(message),
    head: async () => (await request(state.token, FEED_HEAD, { workspaceId })).workspace?.jobs.eventCursor ?? null,
  }).start();
}

async function fetchPage(after) {
  const { view } = state;
  const data = await request(state.token, JOBS, {
    workspaceId: view.workspace,
    filter: jobFilter(view),
    orderBy: jobOrder(view),
    first: Number(view.size),
    after,
  });
  if (!data.workspace) throw new ApiError('This workspace is not available to you any more.', 'NOT_FOUND');
  return data.workspace.jobs;
}

function stopFeed() {
  state.feed?.stop();
  state.feed = null;
}

// ---- live changes --------------------------------------------------------------------------

/** Whether a new job belongs on this page: the first page, newest first. */
const newestFirst = () => state.page === 0 && state.view.sort === 'created' && state.view.dir === 'desc';

/** One change from the feed: the event's status and progress are the job's at that point. */
function applyEvent(event) {
  const job = { ...event.job, status: event.status, progress: event.progress };
  const shown = table.has(job.id);
  const wanted = inView(state.view, job);
  if (shown && !wanted) {
    table.remove(job.id);
    state.totalCount -= 1;
  } else if (shown) {
    table.put(job, { flash: true });
  } else if (wanted) {
    addJob(job);
  }
  render();
}

/**
 * A job of this view that is not on the page: a new one goes first on the first page of newest
 * first; anything else is counted in the "changed on other pages" notice.
 */
function addJob(job) {
  const newest = table.tbody.firstElementChild?.dataset.createdAt;
  if (newestFirst() && (!newest || job.createdAt >= newest)) {
    table.put(job, { flash: true, top: true });
    state.totalCount += 1;
  } else {
    state.changedElsewhere.add(job.id);
  }
}

function render() {
  const { view } = state;
  const what = [view.type && TYPE_LABELS[view.type], view.status && STATUS_LABELS[view.status]].filter(Boolean).join(', ');
  const filtered = Boolean(jobFilter(view));
  const summary = `${state.totalCount} ${state.totalCount === 1 ? 'job' : 'jobs'}${what ? ` (${what.toLowerCase()})` : filtered ? ' (filtered)' : ''}`;
  // A live region: touch it only when it says something new.
  if (ui.summary.textContent !== summary) ui.summary.textContent = summary;
  if (table.size === 0) {
    showEmpty(filtered ? 'No job matches these filters.' : state.page > 0 ? 'No jobs on this page.' : 'No jobs yet. Start one through the API, or run `npm run demo:jobs`.');
  } else {
    ui.empty.hidden = true;
  }
  const changed = state.changedElsewhere.size;
  ui.news.hidden = changed === 0;
  ui.newsText.textContent = `${changed} ${changed === 1 ? 'job' : 'jobs'} changed outside this page.`;
  for (const th of document.querySelectorAll('th[data-sort]')) {
    if (th.dataset.sort.split(' ').includes(view.sort)) th.setAttribute('aria-sort', view.dir === 'asc' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
  renderPager();
}

ui.newsShow.addEventListener('click', () => reload());

function showEmpty(text) {
  ui.empty.textContent = text;
  ui.empty.hidden = false;
}

// ---- the connection ----------------------------------------------------------------------------

const connection = new ConnectionStatus({ onRetryNow: () => state.feed?.retryNow() });

/** The feed's state in the header; the table is stale from a lost connection until caught up. */
function showConnection(feedState) {
  if (feedState.state === 'reconnecting' || feedState.state === 'catching-up') setStale(true);
  if (feedState.state === 'live') setStale(false);
  connection.show(feedState);
}

/** Dims the table and says so while the connection is lost or catching up. */
function setStale(stale) {
  state.stale = stale;
  ui.table.classList.toggle('is-stale', stale);
  ui.staleNote.hidden = !stale;
  ui.table.setAttribute('aria-busy', String(state.loading || state.stale));
}

function setLoading(loading) {
  state.loading = loading;
  ui.table.setAttribute('aria-busy', String(state.loading || state.stale));
}

function fatal(message) {
  showConnection({ state: 'stopped' });
  showError(`${message} Sign in again to go on.`);
}

function failed(error) {
  if (error.code === 'UNAUTHENTICATED') return showSignIn(NO_LONGER_ACCEPTED);
  showError(error.message);
}

function showError(message) {
  ui.pageError.textContent = message;
  ui.pageError.hidden = false;
}

// Durations, "last report … ago" and stale badges move on every second.
setInterval(() => table.tick(), 1000);

// ---- the row actions -----------------------------------------------------------------------

async function onRowAction(kind, job) {
  if (kind === 'folder' || kind === 'error') return showDetails(kind, job);
  if (kind === 'cancel' && !(await confirmCancel(job))) return;
  const generation = state.generation;
  table.busy(job.id, true);
  try {
    const data = await request(state.token, kind === 'cancel' ? CANCEL_JOB : RETRY_JOB, { jobId: job.id });
    if (generation !== state.generation) return;
    if (kind === 'cancel') {
      table.put(data.cancelJob, { flash: true });
    } else if (inView(state.view, data.retryJob)) {
      // The new job goes first, where the person who pressed Retry looks for it.
      if (!table.has(data.retryJob.id)) state.totalCount += 1;
      table.put(data.retryJob, { flash: true, top: true });
      render();
    }
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') return showSignIn(NO_LONGER_ACCEPTED);
    if (generation !== state.generation) return;
    // Refused because the row is behind (the job changed unseen): show it as it is, then why.
    await refreshRow(job.id);
    table.showError(job.id, error.message);
  } finally {
    table.busy(job.id, false);
  }
}

async function refreshRow(id) {
  try {
    const job = (await request(state.token, JOB, { workspaceId: state.view.workspace, id })).workspace?.job;
    if (job && table.has(id)) table.put(job);
  } catch {
    // The error shown says enough; the feed brings the row up to date when it can.
  }
}

// ---- start -----------------------------------------------------------------------------------

const saved = savedToken();
if (saved) signIn(saved);
else showSignIn();
