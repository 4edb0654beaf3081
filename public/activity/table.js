// The jobs table: one row per job, kept and updated in place (focus and hover survive live updates).
import { formatAgo, formatDuration, isStale, jobDuration } from './time-format.js';

export const TYPE_LABELS = { DATA_IMPORT: 'Data import', LABEL_IMPORT: 'Label import', MODEL_TRAINING: 'Model training' };
export const STATUS_LABELS = { PROCESSING: 'Processing', SUCCESS: 'Success', ERROR: 'Error', CANCELLED: 'Cancelled' };

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

function sameDay(a, b) {
  return a.toDateString() === b.toDateString();
}

function setTime(el, iso) {
  if (!iso) {
    el.removeAttribute('datetime');
    el.removeAttribute('title');
    el.textContent = '—';
    return;
  }
  const at = new Date(iso);
  el.dateTime = iso;
  el.title = dateTime.format(at);
  el.textContent = sameDay(at, new Date()) ? time.format(at) : dateTime.format(at);
}

/** Writes only a change: the table is refreshed every second. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

const personName = (person) => person.name ?? person.email;

/** A folder link the browser can open (https); other schemes (s3://, gs://, az://) get a Copy button instead. */
export const opensInBrowser = (uri) => /^https:\/\//i.test(uri ?? '');

export class JobsTable {
  /** rows: a Map id -> <tr>; onAction(kind, job) for the row's buttons (folder, error, cancel, retry). */
  constructor(tbody, template, onAction) {
    this.tbody = tbody;
    this.template = template;
    this.onAction = onAction;
    this.rows = new Map();
  }

  clear() {
    this.rows.clear();
    this.tbody.replaceChildren();
  }

  has(id) {
    return this.rows.has(id);
  }

  get size() {
    return this.rows.size;
  }

  remove(id) {
    this.rows.get(id)?.remove();
    this.rows.delete(id);
  }

  /**
   * Adds or updates a job's row. A new row goes at the end (a page read in the server's order)
   * or, with `top`, first (a job that just started, on the first page of newest first).
   */
  put(job, { flash = false, top = false } = {}) {
    let tr = this.rows.get(job.id);
    if (!tr) {
      tr = this.template.content.firstElementChild.cloneNode(true);
      tr.dataset.jobId = job.id;
      this.rows.set(job.id, tr);
      this.tbody.insertBefore(tr, top ? this.tbody.firstElementChild : null);
    }
    tr.job = job;
    this.#fill(tr, job);
    this.#tick(tr, Date.now());
    if (flash) {
      tr.classList.remove('changed');
      void tr.offsetWidth; // restart the highlight animation
      tr.classList.add('changed');
    }
  }

  /** Durations, "last report … ago" and the stale badges, as of now. */
  tick(now = Date.now()) {
    for (const tr of this.rows.values()) this.#tick(tr, now);
  }

  /** Marks a row's action as running (its buttons ignore clicks, but keep the focus) or done. */
  busy(id, running) {
    const cell = this.rows.get(id)?.querySelector('.actions');
    if (!cell) return;
    cell.setAttribute('aria-busy', String(running));
    for (const button of cell.querySelectorAll('button')) button.setAttribute('aria-disabled', String(running));
  }

  /** An action's failure, under the row's buttons (cleared by the next action or update). */
  showError(id, message) {
    const note = this.rows.get(id)?.querySelector('.row-error');
    if (!note) return;
    note.textContent = message;
    note.hidden = false;
  }

  #tick(tr, now) {
    const job = tr.job;
    setText(tr.querySelector('.duration'), formatDuration(jobDuration(job, now)));
    const report = tr.querySelector('.last-report time');
    if (job.lastReportAt) {
      if (report.dateTime !== job.lastReportAt) setTime(report, job.lastReportAt);
      setText(report, formatAgo(now - Date.parse(job.lastReportAt)));
    } else {
      setTime(report, null);
    }
    const stale = isStale(job, now);
    tr.querySelector('.stale-badge').hidden = !stale;
    tr.classList.toggle('stale', stale);
  }

  #fill(tr, job) {
    tr.dataset.status = job.status;
    tr.dataset.createdAt = job.createdAt;
    const typeLabel = TYPE_LABELS[job.type] ?? job.type;
    tr.querySelector('.job-type').textContent = typeLabel;
    const target = job.project ?? job.dataset;
    tr.querySelector('.job-target').textContent = target ? target.name : '';

    const status = tr.querySelector('.status');
    status.textContent = STATUS_LABELS[job.status] ?? job.status;
    status.className = `status status-${job.status.toLowerCase()}`;
    const heartbeat = job.heartbeatSeconds ? `${job.heartbeatSeconds} s` : '5 min';
    tr.querySelector('.stale-badge').title = `No report from its worker for more than ${heartbeat}`;
    tr.querySelector('.cancelled-by').textContent = job.status === 'CANCELLED' && job.cancelledBy ? `by ${personName(job.cancelledBy)}` : '';

    const percent = Math.round(job.progress * 100);
    const bar = tr.querySelector('progress');
    bar.value = job.progress;
    bar.setAttribute('aria-label', `${typeLabel} progress`);
    bar.setAttribute('aria-valuetext', `${percent}%`);
    tr.querySelector('.percent').textContent = `${percent}%`;

    tr.querySelector('.user-name').textContent = personName(job.user);
    tr.querySelector('.user-via').textContent = job.apiKey ? ` via key '${job.apiKey.name}'` : '';
    tr.querySelector('.user-email').textContent = job.user.name ? job.user.email : '';
    setTime(tr.querySelector('.started time'), job.createdAt);
    setTime(tr.querySelector('.finished time'), job.finishedAt);
    this.#actions(tr.querySelector('.actions'), job, typeLabel);
  }

  /** Rebuilt only when what they offer changes, so a focused button keeps its focus. */
  #actions(cell, job, typeLabel) {
    const can = job.viewerCan ?? {};
    const key = `${job.folder?.id ?? ''}|${job.folder?.uri ?? ''}|${job.status === 'ERROR'}|${can.cancel}|${can.retry}`;
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    const had = cell.contains(document.activeElement);
    const what = typeLabel.toLowerCase();
    const buttons = [];
    if (job.folder) {
      buttons.push(
        opensInBrowser(job.folder.uri)
          ? this.#link('View folder', `View the folder of this ${what} (opens a new tab)`, job.folder.uri)
          : this.#button('View folder', `View the folder of this ${what}`, 'folder', cell),
      );
    }
    if (job.status === 'ERROR') buttons.push(this.#button('Error details', `Error details of this ${what}`, 'error', cell));
    if (can.retry) buttons.push(this.#button('Retry', `Retry this ${what}`, 'retry', cell));
    if (can.cancel) buttons.push(this.#button('Cancel', `Cancel this ${what}`, 'cancel', cell));
    const error = document.createElement('p');
    error.className = 'row-error';
    error.setAttribute('role', 'alert');
    error.hidden = true;
    const group = document.createElement('div');
    group.className = 'action-buttons';
    group.append(...buttons);
    cell.replaceChildren(group, error);
    // The button pressed is gone (a cancelled job has no Cancel): keep the keyboard in the row.
    if (had) (buttons[0] ?? cell).focus();
  }

  #button(text, label, kind, cell) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `button small action-${kind}`;
    button.textContent = text;
    button.setAttribute('aria-label', label);
    button.addEventListener('click', () => {
      if (cell.getAttribute('aria-busy') === 'true') return;
      cell.querySelector('.row-error').hidden = true;
      this.onAction(kind, cell.closest('tr').job);
    });
    return button;
  }

  #link(text, label, href) {
    const link = document.createElement('a');
    link.className = 'button small action-folder';
    link.textContent = text;
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.setAttribute('aria-label', label);
    return link;
  }
}
