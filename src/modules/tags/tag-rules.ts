import { badInput } from '../../server/errors';
import { isUuid } from '../../authorization/access';
import { cleanName } from '../common/validation';

/** Tag names: trimmed, 1 to 64 characters; they compare case-insensitively (the unique indexes use lower(btrim(name))). */
export const TAG_NAME_MAX = 64;

export function cleanTagName(value: unknown, field = 'input.name'): string {
  return cleanName(value, field, TAG_NAME_MAX);
}

/** The key names compare by, as the unique indexes compute it. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** At most this many ids in one list argument. */
export const MAX_IDS = 100;

/**
 * A list of ids, de-duplicated, in order. Ids that are not UUIDs name nothing: they are
 * reported as invalid with the other unknown ones, never sent to a ::uuid cast.
 */
export function uniqueIds(values: readonly unknown[] | null | undefined, field: string): { ids: string[]; malformed: unknown[] } {
  const list = values ?? [];
  if (list.length > MAX_IDS) throw badInput(field, `At most ${MAX_IDS} ids at once`);
  const ids = new Set<string>();
  const malformed: unknown[] = [];
  for (const v of list) {
    if (isUuid(v)) ids.add(v.toLowerCase());
    else malformed.push(v);
  }
  return { ids: [...ids], malformed };
}
