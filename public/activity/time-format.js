// Durations and "2 min ago", as the table shows them (recomputed every second while shown).

/** A PROCESSING job without its own heartbeat counts as stale after this long without a report. */
export const DEFAULT_STALE_MS = 5 * 60_000;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'always', style: 'short' });

/** "42 s", "3 min 5 s", "2 h 14 min", "3 d 4 h": two units at most. */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor(s / 3600) % 24, 'h'],
    [Math.floor(s / 60) % 60, 'min'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return '0 s';
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** "just now", "40 sec. ago", "2 min. ago", "3 hr. ago", "2 days ago". */
export function formatAgo(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return relative.format(-s, 'second');
  if (s < 3600) return relative.format(-Math.floor(s / 60), 'minute');
  if (s < 86_400) return relative.format(-Math.floor(s / 3600), 'hour');
  return relative.format(-Math.floor(s / 86_400), 'day');
}

/** How long the job ran: createdAt to finishedAt, or to now while it runs. */
export const jobDuration = (job, now) => (job.finishedAt ? Date.parse(job.finishedAt) : now) - Date.parse(job.createdAt);

/** A PROCESSING job whose worker has not reported for longer than its heartbeat (or 5 min). */
export function isStale(job, now) {
  if (job.status !== 'PROCESSING' || !job.lastReportAt) return false;
  const limit = job.heartbeatSeconds ? job.heartbeatSeconds * 1000 : DEFAULT_STALE_MS;
  return now - Date.parse(job.lastReportAt) > limit;
}
