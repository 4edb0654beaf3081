import { getMetadataArgsStorage } from 'typeorm';

/**
 * A select list read off a TypeORM entity (the schema's source: the migrations are generated
 * from the same classes), so that no module keeps a hand-written copy of its table's columns:
 * `entity_column AS "propertyName"` for each column, from `alias`, each name prefixed (to sit
 * beside other columns in one row). `only` picks and orders some of them.
 */
export function columnsOf(entity: Function, alias: string, options: { prefix?: string; only?: readonly string[]; except?: readonly string[] } = {}): string {
  const prefix = options.prefix ?? '';
  const all = getMetadataArgsStorage()
    .columns.filter((c) => c.target === entity)
    .map((c) => ({ property: c.propertyName, column: c.options.name ?? c.propertyName }));
  const chosen = options.only
    ? options.only.map((p) => all.find((c) => c.property === p) ?? missing(entity, p))
    : all.filter((c) => !options.except?.includes(c.property));
  return chosen.map((c) => `${alias}.${c.column} AS "${prefix}${c.property}"`).join(', ');
}

/** The properties of `prefix`ed columns of a row, without the prefix; null when the row's `id` is null (an outer join that found none). */
export function unprefix<T>(row: Record<string, any>, prefix: string, keys: readonly string[]): T | null {
  if (row[`${prefix}id`] == null) return null;
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = row[`${prefix}${key}`];
  return out as T;
}

function missing(entity: Function, property: string): never {
  throw new Error(`${entity.name} has no column ${property}`);
}
