import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';

/** Which roles each resource type takes. Any other pairing is BAD_USER_INPUT. */
export const ROLES_BY_RESOURCE_TYPE: Record<ResourceType, readonly ResourceRole[]> = {
  PROJECT: ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'],
  DATASET: ['ADMIN', 'USER'],
  ONTOLOGY: ['ADMIN', 'USER'],
};

/** ADMIN > TEAM_MANAGER > ANNOTATOR_REVIEWER > REVIEWER = ANNOTATOR > USER. */
export const ROLE_RANK: Record<ResourceRole, number> = {
  ADMIN: 5,
  TEAM_MANAGER: 4,
  ANNOTATOR_REVIEWER: 3,
  REVIEWER: 2,
  ANNOTATOR: 2,
  USER: 1,
};

/**
 * The effective role from a direct role and the roles of the groups one is a member of:
 * the highest. On a tie of equal ranks (REVIEWER = ANNOTATOR) the direct role wins, then
 * ANNOTATOR (it may do more: create issues).
 */
export function effectiveRole(direct: ResourceRole | null, viaGroups: readonly ResourceRole[]): ResourceRole | null {
  let best: ResourceRole | null = direct;
  for (const role of viaGroups) {
    if (best === null || ROLE_RANK[role] > ROLE_RANK[best] || (ROLE_RANK[role] === ROLE_RANK[best] && best !== direct && role === 'ANNOTATOR')) {
      best = role;
    }
  }
  return best;
}
