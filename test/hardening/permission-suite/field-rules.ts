import { isObjectType } from 'graphql';
import { ruleOf } from '../../../src/authorization/guard';
import type { RuleName } from '../../../src/authorization/policy';
import { buildAppSchema } from '../../../src/schema';

/**
 * Which rule guards each field: what the schema's @auth directives say. The suite reads them
 * from the schema (never a list of its own), so a field that changes its rule is checked under
 * its new rule with no edit here; a schema that does not build fails the suite.
 */
export interface FieldRules {
  rules: Map<string, RuleName>;
}

let cached: Promise<FieldRules> | undefined;

/** Type.field -> the rule of its @auth directive, for every ruled field of the schema. */
export function fieldRules(): Promise<FieldRules> {
  cached ??= (async () => {
    const schema = await buildAppSchema();
    const rules = new Map<string, RuleName>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const rule = ruleOf(schema, field as any);
        if (rule) rules.set(`${type.name}.${field.name}`, rule);
      }
    }
    return { rules };
  })();
  return cached;
}

/** The operations of the schema's root types (which must all be ruled). */
export async function rootFields(): Promise<string[]> {
  const schema = await buildAppSchema();
  return ['Query', 'Mutation', 'Subscription'].flatMap((name) => {
    const type = schema.getType(name);
    return isObjectType(type) ? Object.keys(type.getFields()).map((f) => `${name}.${f}`) : [];
  });
}
