// The jobs table: one row per job, kept and updated in place (focus and hover survive live updates).

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
    el.textContent = '—';
    return;
  }
  const at = new Date(iso);
  el.dateTime = iso;
  el.title = dateTime.format(at);
  el.textContent = sameDay(at, new Date()) ? time.format(at) : dateTime.format(at);
}

export class JobsTable {
  /** rows: a Map id -> <tr>; onAction(kind, job) for the folder and error-details buttons. */
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

  /** Adds or updates a job's row; new rows go where createdAt (newest first) puts them. */
  put(job, { flash = false } = {}) {
    let tr = this.rows.get(job.id);
    if (!tr) {
      tr = this.template.content.firstElementChild.cloneNode(true);
      tr.dataset.jobId = job.id;
      this.rows.set(job.id, tr);
      this.#insert(tr, job.createdAt);
    }
    this.#fill(tr, job);
    if (flash) {
      tr.classList.remove('changed');
      void tr.offsetWidth; // restart the highlight animation
      tr.classList.add('changed');
    }
  }

  /** The createdAt of the oldest row shown (live jobs older than it belong to pages not loaded yet). */
  oldest() {
    return this.tbody.lastElementChild?.dataset.createdAt ?? null;
  }

  #insert(tr, createdAt) {
    tr.dataset.createdAt = createdAt;
    const before = [...this.tbody.children].find((row) => row.dataset.createdAt < createdAt);
    this.tbody.insertBefore(tr, before ?? null);
  }

  #fill(tr, job) {
    tr.dataset.status = job.status;
    const typeLabel = TYPE_LABELS[job.type] ?? job.type;
    tr.querySelector('.job-type').textContent = typeLabel;
    const target = job.project ?? job.dataset;
    tr.querySelector('.job-target').textContent = target ? target.name : '';

    const status = tr.querySelector('.status');
    status.textContent = STATUS_LABELS[job.status] ?? job.status;
    status.className = `status status-${job.status.toLowerCase()}`;

    const percent = Math.round(job.progress * 100);
    const bar = tr.querySelector('progress');
    bar.value = job.progress;
    bar.setAttribute('aria-label', `${typeLabel} progress`);
    bar.setAttribute('aria-valuetext', `${percent}%`);
    tr.querySelector('.percent').textContent = `${percent}%`;

    tr.querySelector('.user-name').textContent = job.user.name ?? job.user.email;
    tr.querySelector('.user-email').textContent = job.user.name ? job.user.email : '';
    setTime(tr.querySelector('.started time'), job.createdAt);
    setTime(tr.querySelector('.finished time'), job.finishedAt);
    this.#actions(tr.querySelector('.actions'), job, typeLabel);
  }

  /** Rebuilt only when what they offer changes, so a focused button keeps its focus. */
  #actions(cell, job, typeLabel) {
    const key = `${job.folder?.id ?? ''}|${job.status === 'ERROR'}`;
    cell.job = job;
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    const buttons = [];
    if (job.folder) buttons.push(this.#button('View folder', `View the folder of this ${typeLabel.toLowerCase()}`, 'folder', cell));
    if (job.status === 'ERROR') buttons.push(this.#button('Error details', `Error details of this ${typeLabel.toLowerCase()}`, 'error', cell));
    cell.replaceChildren(...buttons);
  }

  #button(text, label, kind, cell) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `button small action-${kind}`;
    button.textContent = text;
    button.setAttribute('aria-label', label);
    button.addEventListener('click', () => this.onAction(kind, cell.job));
    return button;
  }
}
