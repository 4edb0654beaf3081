// What the page shows (workspace, filters, sort, page size), kept in the URL's query string so
// that a reload, a shared link and the back/forward buttons all bring the same view back.

export const SORT_FIELDS = { created: 'CREATED_AT', finished: 'FINISHED_AT', status: 'STATUS' };
export const PAGE_SIZES = [10, 25, 50, 100];
const DEFAULTS = { workspace: '', type: '', status: '', user: '', from: '', to: '', sort: 'created', dir: 'desc', size: '25' };
const DAY = /^\d{4}-\d\d-\d\d$/;

/** The view in the URL, with anything unknown replaced by the default. */
export function readView() {
  // Older links kept the view in the hash (#workspace=…&type=…).
  const query = location.search.length > 1 ? location.search : location.hash.replace(/^#/, '?');
  const params = new URLSearchParams(query);
  const view = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) view[key] = params.get(key) ?? DEFAULTS[key];
  if (!(view.sort in SORT_FIELDS)) view.sort = DEFAULTS.sort;
  if (view.dir !== 'asc') view.dir = 'desc';
  if (!PAGE_SIZES.includes(Number(view.size))) view.size = DEFAULTS.size;
  if (!DAY.test(view.from)) view.from = '';
  if (!DAY.test(view.to)) view.to = '';
  return view;
}

/** Puts the view in the URL, leaving defaults out; `push` makes a new history entry (back returns here). */
export function writeView(view, { push = false } = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(view)) if (value && value !== DEFAULTS[key]) params.set(key, value);
  const url = `${location.pathname}${params.size ? `?${params}` : ''}`;
  if (url === `${location.pathname}${location.search}` && !location.hash) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

/** The API's JobFilter for a view (null: everything); dates are whole local days, `to` included. */
export function jobFilter(view) {
  const filter = {};
  if (view.type) filter.types = [view.type];
  if (view.status) filter.statuses = [view.status];
  if (view.user) filter.userIds = [view.user];
  if (view.from) filter.createdAfter = startOfDay(view.from).toISOString();
  if (view.to) {
    const end = startOfDay(view.to);
    end.setDate(end.getDate() + 1);
    filter.createdBefore = end.toISOString();
  }
  return Object.keys(filter).length ? filter : null;
}

/** Whether a job (from the feed) belongs to the view's filter. */
export function inView(view, job) {
  const filter = jobFilter(view) ?? {};
  return (
    (!filter.types || filter.types.includes(job.type)) &&
    (!filter.statuses || filter.statuses.includes(job.status)) &&
    (!filter.userIds || filter.userIds.includes(job.user.id)) &&
    (!filter.createdAfter || job.createdAt >= filter.createdAfter) &&
    (!filter.createdBefore || job.createdAt < filter.createdBefore)
  );
}

export const jobOrder = (view) => ({ field: SORT_FIELDS[view.sort], direction: view.dir.toUpperCase() });

function startOfDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}
