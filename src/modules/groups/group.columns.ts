import type { Group } from './group.types';

/** The columns of a Group from `groups <alias>`, each name prefixed (to sit beside other columns in one row). */
export function groupColumns(alias = 'g', prefix = ''): string {
  return [
    `${alias}.id AS "${prefix}id"`,
    `${alias}.workspace_id AS "${prefix}workspaceId"`,
    `${alias}.name AS "${prefix}name"`,
    `${alias}.description AS "${prefix}description"`,
    `${alias}.created_at AS "${prefix}createdAt"`,
    `${alias}.created_by AS "${prefix}createdBy"`,
  ].join(', ');
}

/** The Group in a row read with `groupColumns(alias, prefix)`; null when its id is null (a LEFT JOIN that found none). */
export function groupFrom(row: Record<string, any>, prefix = ''): Group | null {
  if (row[`${prefix}id`] == null) return null;
  return {
    id: row[`${prefix}id`],
    workspaceId: row[`${prefix}workspaceId`],
    name: row[`${prefix}name`],
    description: row[`${prefix}description`],
    createdAt: row[`${prefix}createdAt`],
    createdBy: row[`${prefix}createdBy`],
  };
}
