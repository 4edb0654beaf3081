import { badInput } from '../../server/errors';

/**
 * An unpaired UTF-16 surrogate (JSON's "\ud800"): not Unicode text. PostgreSQL refuses it in
 * jsonb (the audit entry would fail: INTERNAL_SERVER_ERROR) and would store text as U+FFFD.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** Trims a name and checks its length; names compare case-insensitively after trimming. */
export function cleanName(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string') throw badInput(field, `${field} must be a string`);
  const name = value.trim();
  if (name.length === 0) throw badInput(field, `${field} must not be empty`);
  if (name.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput(field, `${field} must not contain control characters`);
  if (LONE_SURROGATE.test(name)) throw badInput(field, `${field} must be valid Unicode text`);
  return name;
}

/** A search text: trimmed, null when empty; bounded, with no control characters (no name or email holds one). */
export function cleanSearch(value: string | null | undefined, field: string, max = 200): string | null {
  const text = value?.trim();
  if (!text) return null;
  if (text.length > max) throw badInput(field, `search must be at most ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badInput(field, 'search must not contain control characters');
  if (LONE_SURROGATE.test(text)) throw badInput(field, 'search must be valid Unicode text');
  return text;
}

/** A LIKE pattern matching `text` anywhere, literally: %, _ and \ in it match only themselves. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Optional free text: trimmed, null when empty, bounded. */
export function cleanDescription(value: unknown, field: string, max = 2000): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badInput(field, `${field} must be a string`);
  const text = value.trim();
  if (text.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) throw badInput(field, `${field} must not contain control characters`);
  if (LONE_SURROGATE.test(text)) throw badInput(field, `${field} must be valid Unicode text`);
  return text.length === 0 ? null : text;
}

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An email trimmed and lower-cased, or null when it is not a plausible address. */
export function normalizeEmail(value: string): string | null {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return null;
  const [local] = email.split('@');
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  return email;
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Internal domains: trimmed, lower-cased, checked, de-duplicated; BAD_USER_INPUT names the first bad one. */
export function cleanDomains(values: unknown, field: string): string[] {
  if (!Array.isArray(values)) throw badInput(field, `${field} must be a list`);
  if (values.length > 50) throw badInput(field, `${field} takes at most 50 domains`);
  const out = new Set<string>();
  for (const v of values) {
    const domain = typeof v === 'string' ? v.trim().toLowerCase() : '';
    if (!DOMAIN.test(domain)) throw badInput(field, `Not a valid domain: ${JSON.stringify(v)}`, { invalid: [v] });
    out.add(domain);
  }
  return [...out];
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
