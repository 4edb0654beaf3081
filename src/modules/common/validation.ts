import { badInput } from '../../server/errors';
import { AT_ONCE } from '../../server/limits/caps';
import type { FieldCheck } from './input-checks';

/**
 * What clean input is: the checks input classes declare (`@Check(name())`), and the keys that
 * names and emails compare by.
 */

/** An unpaired UTF-16 surrogate (JSON's "\ud800"): not Unicode text (PostgreSQL would refuse it in jsonb). */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * What no name may hold: control characters, format characters (zero-width spaces and joiners,
 * bidirectional marks, soft hyphens: Unicode Cf) and line or paragraph separators. Two names
 * that look the same must be the same name.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The key names compare by (docs/permissions.md, "Names"): NFKC (full-width and compatibility forms
 * fold to their plain letters), trimmed, case-folded (upper then lower case, so "ß" meets "SS").
 * Unique indexes hold on it (name_key columns).
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().toUpperCase().toLowerCase().normalize('NFKC');
}

/** A name: trimmed, 1 to `max` characters, with nothing invisible in it. */
export function cleanName(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string') throw badInput(field, `${field} must be a string`);
  // Checked before trimming: trim() would quietly drop a line separator or a BOM at either end.
  if (INVISIBLE.test(value)) throw badInput(field, `${field} must not contain control, zero-width or line-separator characters`);
  const name = value.normalize('NFC').trim();
  if (name.length === 0) throw badInput(field, `${field} must not be empty`);
  if (name.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  if (LONE_SURROGATE.test(name)) throw badInput(field, `${field} must be valid Unicode text`);
  return name;
}
export const name =
  (max = 200): FieldCheck =>
  (value, field) =>
    cleanName(value, field, max);

/** Optional free text: trimmed (empty stays empty: on an update it clears), bounded; tabs and line breaks are fine, other controls are not. */
export const description =
  (max = 2000): FieldCheck =>
  (value, field) => {
    if (typeof value !== 'string') throw badInput(field, `${field} must be a string`);
    const text = value.trim();
    if (text.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) throw badInput(field, `${field} must not contain control characters`);
    if (LONE_SURROGATE.test(text)) throw badInput(field, `${field} must be valid Unicode text`);
    return text;
  };

/** A search text: trimmed, null when empty; bounded, with no control characters (no name or email holds one). */
export const search =
  (max = 200): FieldCheck =>
  (value, field) => {
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) return null;
    if (text.length > max) throw badInput(field, `search must be at most ${max} characters`);
    if (/[\u0000-\u001f\u007f]/.test(text)) throw badInput(field, 'search must not contain control characters');
    if (LONE_SURROGATE.test(text)) throw badInput(field, 'search must be valid Unicode text');
    return text;
  };

/** A LIKE pattern matching `text` anywhere, literally: %, _ and \ in it match only themselves. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One id: lower-cased (ids compare so everywhere); what is not an id stays as it is, to name nothing. */
export const id = (): FieldCheck => (value) => (typeof value === 'string' ? value.toLowerCase() : value);

/** A list of ids: de-duplicated (case-insensitively), in order, at least `min` and at most `max`. */
export const ids =
  (options: { max: number; min?: number; what?: string }): FieldCheck =>
  (value, field) => {
    const list = Array.isArray(value) ? value : [];
    if (list.length < (options.min ?? 0)) throw badInput(field, `Name at least ${options.min} ${options.what ?? 'id'}`);
    if (list.length > options.max) throw badInput(field, `At most ${options.max} ${options.what ?? 'id'}s at once`);
    return [...new Set(list.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)))];
  };

/** A list of enum values: at least one, de-duplicated, in order. */
export const someOf = (): FieldCheck => (value, field) => {
  const list = Array.isArray(value) ? value : [];
  if (list.length === 0) throw badInput(field, `${field} must name at least one value`);
  return [...new Set(list)];
};

/** A moment in the future, at most `maxYears` ahead. */
export const futureDate =
  (maxYears: number): FieldCheck =>
  (value, field) => {
    const at = value instanceof Date ? value : new Date(NaN);
    const latest = new Date();
    latest.setUTCFullYear(latest.getUTCFullYear() + maxYears);
    if (!(at.getTime() > Date.now())) throw badInput(field, `${field} must be in the future`);
    if (at > latest) throw badInput(field, `${field} must be at most ${maxYears} years ahead`);
    return at;
  };

/** A number from 0 to 1. */
export const fraction = (): FieldCheck => (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw badInput(field, `${field.split('.').pop()} must be from 0 to 1`);
  return value;
};

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** An email trimmed and lower-cased, or null when it is not a plausible address. */
export function normalizeEmail(value: string): string | null {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return null;
  const [local] = email.split('@');
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  return email;
}

/** Emails: trimmed, lower-cased, checked, de-duplicated, 1 to `max`; one bad email fails the list, naming every bad one. */
export const emails =
  (max: number): FieldCheck =>
  (values, field) => {
    if (!Array.isArray(values) || values.length === 0) throw badInput(field, 'Name at least one email');
    if (values.length > max) throw badInput(field, `At most ${max} emails at once`);
    const clean = new Set<string>();
    const invalid: unknown[] = [];
    for (const value of values) {
      const email = typeof value === 'string' ? normalizeEmail(value) : null;
      if (email) clean.add(email);
      else invalid.push(value);
    }
    if (invalid.length > 0) {
      const shown = invalid.slice(0, 5).map((v) => JSON.stringify(String(v).slice(0, 100)));
      throw badInput(field, `Not a valid email: ${shown.join(', ')}${invalid.length > 5 ? ', ...' : ''}`, { invalid });
    }
    return [...clean];
  };

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Internal domains: trimmed, lower-cased, checked, de-duplicated; BAD_USER_INPUT names the first bad one. */
export const domains = (): FieldCheck => (values, field) => {
  if (!Array.isArray(values)) throw badInput(field, `${field} must be a list`);
  if (values.length > AT_ONCE.internalDomains) throw badInput(field, `${field} takes at most ${AT_ONCE.internalDomains} domains`);
  const out = new Set<string>();
  for (const v of values) {
    const domain = typeof v === 'string' ? v.trim().toLowerCase() : '';
    if (!DOMAIN.test(domain)) throw badInput(field, `Not a valid domain: ${JSON.stringify(v)}`, { invalid: [v] });
    out.add(domain);
  }
  return [...out];
};

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
