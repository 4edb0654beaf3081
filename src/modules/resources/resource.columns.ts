import type { Resource } from './resource.types';

/** The columns of a resource from `resources <alias>`, each name prefixed. */
export function resourceColumns(alias = 'r', prefix = ''): string {
  return [
    `${alias}.id AS "${prefix}id"`,
    `${alias}.workspace_id AS "${prefix}workspaceId"`,
    `${alias}.type AS "${prefix}type"`,
    `${alias}.name AS "${prefix}name"`,
    `${alias}.description AS "${prefix}description"`,
    `${alias}.created_at AS "${prefix}createdAt"`,
  ].join(', ');
}

export function resourceFrom(row: Record<string, any>, prefix = ''): Resource {
  return {
    id: row[`${prefix}id`],
    workspaceId: row[`${prefix}workspaceId`],
    type: row[`${prefix}type`],
    name: row[`${prefix}name`],
    description: row[`${prefix}description`],
    createdAt: row[`${prefix}createdAt`],
  };
}
