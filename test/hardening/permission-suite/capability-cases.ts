import { groupCapabilities, jobCapabilities, resourceCapabilities, userCapabilities, workspaceCapabilities } from '../../../src/authorization/capabilities';
import type { Context } from '../../../src/server/context';
import { Builder } from './builder';
import { otherError, type ApiCall, type Check } from './checks';
import { FITS, GROUP_TIES, resourceTies, selfSubject, SUBJECTS, VIEWERS, viewerLabel } from './dimensions';
import { capabilityOracle, reachable } from './oracle-capabilities';
import { JOB_TYPES, RES_TYPES, WS_ROLES, type CapabilityScenario, type JobSpec, type ResType } from './scenario';
import type { Ids } from './world';

/**
 * CAPABILITIES: every `viewerCan` flag of schema.graphql (Workspace, WorkspaceUser,
 * Project/Dataset/Ontology, Group, Job), one value at a time for list-valued ones, for every
 * viewer x relation to the object. The table's answer is the capability function of
 * src/authorization/capabilities.ts; the oracle's is the outcome of the operation the flag names
 * (oracle-capabilities.ts); the API's is the flag read on the object, when the viewer reaches it.
 */

interface FlagFamily {
  type: 'Workspace' | 'WorkspaceUser' | 'Resource' | 'Group' | 'Job';
  /** The flags, each with the values asked about when it is a list. */
  flags(s: Omit<CapabilityScenario, 'flag' | 'value'>): Array<{ flag: string; value?: string }>;
  relations(): Array<Omit<CapabilityScenario, 'flag' | 'value' | 'viewer'>>;
  build(b: Builder, s: CapabilityScenario): void;
  /** The capability function's answer, all flags. */
  table(ctx: Context, s: CapabilityScenario, ids: Ids): Promise<Record<string, boolean | string[]>>;
  /** A query of the object's viewerCan (`reach` is the path to the object in the workspace). */
  reach(s: CapabilityScenario, ids: Ids): { path: string; variables: Record<string, [string, unknown]>; get(ws: any): any };
}

const JOB_STATUSES = ['PROCESSING', 'ERROR', 'CANCELLED', 'SUCCESS'] as const;
const FIELD_ONE: Record<ResType, string> = { PROJECT: 'project', DATASET: 'dataset', ONTOLOGY: 'ontology' };

const FAMILIES: FlagFamily[] = [
  {
    type: 'Workspace',
    flags: () => [
      ...['update', 'seeMembers', 'createResources', 'createGroup', 'manageProjectTags', 'manageIssueTags', 'seeAuditLog', 'manageWebhooks'].map((flag) => ({ flag })),
      ...WS_ROLES.map((value) => ({ flag: 'inviteRoles', value })),
    ],
    relations: () => [{}],
    build: () => undefined,
    table: (ctx, _s, ids) => workspaceCapabilities(ctx, ids.id('A')),
    reach: () => ({ path: '', variables: {}, get: (ws) => ws }),
  },
  {
    type: 'WorkspaceUser',
    flags: () => [{ flag: 'remove' }, { flag: 'changeRole' }, ...WS_ROLES.map((value) => ({ flag: 'assignableRoles', value }))],
    relations: () => SUBJECTS.filter((p) => p.place !== 'nowhere').map((person) => ({ person })),
    build: (b, s) => void b.subject(s.person!),
    table: (ctx, s, ids) => userCapabilities(ctx, { workspaceId: ids.id('A'), id: ids.id(s.person!.self ? 'viewer' : 'subject'), role: s.person!.role }),
    reach: (s, ids) => ({ path: 'user(id: $o)', variables: { o: ['ID!', ids.id(s.person!.self ? 'viewer' : 'subject')] }, get: (ws) => ws.user }),
  },
  {
    type: 'Resource',
    flags: (s) => [
      { flag: 'seeMembers' },
      ...FITS[s.resourceType!].map((value) => ({ flag: 'assignableRoles', value })),
      ...JOB_TYPES.map((value) => ({ flag: 'startJobTypes', value })),
      { flag: 'setTags' },
      { flag: 'createIssueTag' },
      { flag: 'createIssue' },
    ],
    relations: () => RES_TYPES.flatMap((resourceType) => resourceTies(resourceType).map((resource) => ({ resourceType, resource }))),
    build: (b, s) => b.resource('R', 'here', s.resourceType!, s.resource),
    table: (ctx, s, ids) => resourceCapabilities(ctx, { id: ids.id('R'), workspaceId: ids.id('A'), type: s.resourceType! }),
    reach: (s, ids) => ({ path: `${FIELD_ONE[s.resourceType!]}(id: $o)`, variables: { o: ['ID!', ids.id('R')] }, get: (ws) => ws[FIELD_ONE[s.resourceType!]] }),
  },
  {
    type: 'Group',
    flags: () => ['update', 'delete', 'manageMembers', 'manageManagers', 'seeManagers'].map((flag) => ({ flag })),
    relations: () => GROUP_TIES.map((group) => ({ group })),
    build: (b, s) => b.group('G', 'here', s.group!),
    table: (ctx, _s, ids) => groupCapabilities(ctx, { id: ids.id('G') }),
    reach: (_s, ids) => ({ path: 'group(id: $o)', variables: { o: ['ID!', ids.id('G')] }, get: (ws) => ws.group }),
  },
  {
    type: 'Job',
    flags: () => ['report', 'cancel', 'retry'].map((flag) => ({ flag })),
    relations: () =>
      JOB_TYPES.flatMap((type) =>
        [true, false].flatMap((byViewer) =>
          JOB_STATUSES.flatMap((status) =>
            resourceTies(type === 'DATA_IMPORT' ? 'DATASET' : 'PROJECT').map((resource) => ({ job: { type, byViewer, status, resource, place: 'here' } as JobSpec })),
          ),
        ),
      ),
    build: (b, s) => b.jobOf('J', s.job!),
    table: (ctx, s, ids) => {
      const j = s.job!;
      const on = ids.id('J-R');
      return jobCapabilities(ctx, { id: ids.id('J'), status: j.status, projectId: j.type === 'DATA_IMPORT' ? null : on, datasetId: j.type === 'DATA_IMPORT' ? on : null });
    },
    reach: (_s, ids) => ({ path: 'job(id: $o)', variables: { o: ['ID!', ids.id('J')] }, get: (ws) => ws.job }),
  },
];

/** A flag's value: true/false, or for a list-valued flag whether the value is in the list. */
function flagValue(caps: Record<string, unknown> | null | undefined, flag: string, value?: string): string {
  const got = caps?.[flag];
  if (value !== undefined) return Array.isArray(got) ? String(got.includes(value)) : `no list ${flag}`;
  return typeof got === 'boolean' ? String(got) : `no flag ${flag}`;
}

export function* capabilityChecks(): Generator<Check> {
  let n = 0;
  for (const family of FAMILIES) {
    for (const relation of family.relations()) {
      for (const viewer of VIEWERS) {
        const base = { viewer, ...relation, ...(relation.person ? { person: selfSubject(relation.person, viewer) } : {}) };
        for (const { flag, value } of family.flags(base)) {
          yield capabilityCheck(family, { ...base, flag: `${family.type}.${flag}`, ...(value ? { value } : {}) }, n++);
        }
      }
    }
  }
}

function capabilityCheck(family: FlagFamily, s: CapabilityScenario, n: number): Check {
  const flag = s.flag.split('.')[1];
  return {
    kind: 'capability',
    key: s.flag,
    n,
    viewer: s.viewer,
    viewerKey: s.viewer ? 'viewer' : null,
    describe: () => {
      const { flag: f, value, viewer, ...rest } = s;
      return `capability #${n} ${f}${value ? `[${value}]` : ''} by ${viewerLabel(viewer)} ${JSON.stringify(rest)}`;
    },
    build: () => {
      const b = new Builder(s.viewer);
      family.build(b, s);
      return b.w;
    },
    expected: () => {
      const want = String(capabilityOracle(s));
      return { table: [want], api: [reachable(s) ? want : 'unreachable'], writes: false };
    },
    table: async (ctx, ids) => {
      if (!ctx.viewer) return 'false';
      try {
        return flagValue(await family.table(ctx, s, ids), flag, s.value);
      } catch (error: any) {
        return `threw ${error?.message}`;
      }
    },
    call: (ids): ApiCall => {
      const { path, variables, get } = family.reach(s, ids);
      const decl = Object.entries(variables).map(([k, [t]]) => `, $${k}: ${t}`).join('');
      const selection = `viewerCan { ${flag} }`;
      return {
        query: `query($ws: ID!${decl}) { workspace(id: $ws) { ${path ? `${path} { ${selection} }` : selection} } }`,
        variables: { ws: ids.id('A'), ...Object.fromEntries(Object.entries(variables).map(([k, [, v]]) => [k, v])) },
        read: (res) => {
          const other = otherError(res);
          if (other) return other;
          const object = res.data?.workspace ? get(res.data.workspace) : null;
          return object ? flagValue(object.viewerCan, flag, s.value) : 'unreachable';
        },
      };
    },
  };
}
