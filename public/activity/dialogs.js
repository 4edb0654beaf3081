// The page's dialogs: a job's folder or error details, and the confirmation before a cancel.
import { TYPE_LABELS } from './table.js';

const $ = (id) => document.getElementById(id);
const details = { dialog: $('details'), title: $('details-title'), body: $('details-body') };
const confirm = { dialog: $('confirm'), title: $('confirm-title'), text: $('confirm-text') };

function definitionList(rows) {
  const list = document.createElement('dl');
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    if (typeof value === 'string') dd.textContent = value;
    else dd.append(value);
    list.append(dt, dd);
  }
  return list;
}

/** The folder of an import (its uri with a Copy button when it has one), or the error of a failed job. */
export function showDetails(kind, job) {
  const type = TYPE_LABELS[job.type] ?? job.type;
  const body = [];
  if (kind === 'folder') {
    details.title.textContent = 'Storage folder';
    const rows = [['Folder', job.folder.name]];
    if (job.folder.uri) rows.push(['Location', copyableUri(job.folder.uri)]);
    rows.push(['Folder id', job.folder.id], ['Imported by', `${type} ${job.id}`]);
    body.push(definitionList(rows));
    if (job.folder.uri) {
      const hint = document.createElement('p');
      hint.className = 'muted small';
      hint.textContent = 'A browser cannot open this location: copy it into your storage console or command line.';
      body.push(hint);
    }
  } else {
    details.title.textContent = `${type} failed`;
    body.push(definitionList([['Message', job.errorMessage ?? '(none given)']]));
    const pre = document.createElement('pre');
    pre.className = 'details';
    pre.textContent = job.errorDetails ?? 'No details were reported.';
    pre.tabIndex = 0;
    pre.setAttribute('aria-label', 'Error details');
    body.push(pre);
  }
  details.body.replaceChildren(...body);
  details.dialog.showModal();
}

/** A read-only field with the uri and a Copy button: the Clipboard API, else the older copy command, else "press Ctrl+C". */
function copyableUri(uri) {
  const wrap = document.createElement('div');
  wrap.className = 'copy';
  const field = document.createElement('input');
  field.readOnly = true;
  field.value = uri;
  field.className = 'folder-uri';
  field.setAttribute('aria-label', 'Folder location');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button small';
  button.textContent = 'Copy';
  const said = document.createElement('span');
  said.className = 'copy-said muted';
  said.setAttribute('role', 'status');
  button.addEventListener('click', async () => {
    said.textContent = (await copy(field)) ? 'Copied' : 'Press Ctrl+C (⌘C) to copy';
  });
  wrap.append(field, button, said);
  return wrap;
}

async function copy(field) {
  try {
    await navigator.clipboard.writeText(field.value);
    return true;
  } catch {
    // No Clipboard API (an http page) or no permission: select it and try the legacy command.
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** Asks before cancelling a job; resolves true when the person confirms. */
export function confirmCancel(job) {
  const type = (TYPE_LABELS[job.type] ?? job.type).toLowerCase();
  const target = job.project ?? job.dataset;
  confirm.title.textContent = `Cancel this ${type}?`;
  confirm.text.textContent =
    `${target ? `The ${type} of ${target.name}` : 'It'} stops where it is (${Math.round(job.progress * 100)}% done). ` +
    'It can be retried afterwards as a new job.';
  confirm.dialog.returnValue = '';
  confirm.dialog.showModal();
  return new Promise((resolve) => {
    confirm.dialog.addEventListener('close', () => resolve(confirm.dialog.returnValue === 'cancel'), { once: true });
  });
}
