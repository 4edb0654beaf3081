import { isObjectType } from 'graphql';
import { ruleOf } from '../../src/authorization/guard';
import { policy } from '../../src/authorization/policy';
import { buildAppSchema } from '../../src/schema';

/**
 * Deny by default: every operation names a rule of the policy table, and so does every field
 * that shows what not everyone who reaches it may see. The snapshot of which rule guards which
 * field is reviewed as a security change whenever it moves.
 */
const SENSITIVE_FIELDS = [
  'Workspace.users',
  'Workspace.user',
  'Workspace.groups',
  'Workspace.group',
  'Workspace.projects',
  'Workspace.datasets',
  'Workspace.ontologies',
  'Workspace.project',
  'Workspace.dataset',
  'Workspace.ontology',
  'Workspace.projectTags',
  'Workspace.issueTags',
  'Workspace.jobs',
  'Workspace.job',
  'Workspace.apiKeys',
  'Workspace.auditLog',
  'Workspace.webhooks',
  'Group.members',
  'Group.managers',
  'Project.members',
  'Project.tags',
  'Dataset.members',
  'Ontology.members',
];

describe('the policy guards every operation', () => {
  let rules: Map<string, string | undefined>;
  let fields: Set<string>;

  beforeAll(async () => {
    const schema = await buildAppSchema();
    rules = new Map();
    fields = new Set();
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const key = `${type.name}.${field.name}`;
        fields.add(key);
        rules.set(key, ruleOf(schema, field.astNode ? (field as any) : field));
      }
    }
  });

  it('names a rule on every Query, Mutation and Subscription field', () => {
    const unguarded = [...rules].filter(([key, rule]) => /^(Query|Mutation|Subscription)\./.test(key) && !rule).map(([key]) => key);
    expect(unguarded).toEqual([]);
  });

  it('names a rule on every sensitive field that exists', () => {
    const unguarded = SENSITIVE_FIELDS.filter((key) => fields.has(key) && !rules.get(key));
    expect(unguarded).toEqual([]);
  });

  it('names only rules that the policy table defines', () => {
    const unknown = [...rules.values()].filter((rule) => rule && !(rule in policy));
    expect(unknown).toEqual([]);
  });

  it('keeps the map of guarded fields (a change here is a security change: review it)', () => {
    const guarded = Object.fromEntries([...rules].filter(([, rule]) => rule).sort(([a], [b]) => a.localeCompare(b)));
    expect(guarded).toMatchSnapshot();
  });
});
