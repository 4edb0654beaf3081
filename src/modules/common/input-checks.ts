import { getNamedType, type GraphQLArgument } from 'graphql';

/**
 * The boundary where input is checked, once: each field of an input class declares its check
 * with `@Check(...)` next to its `@Field`, and the guard (authorization/guard.ts) runs
 * `checkArguments` on an operation's arguments before anything else, so bad input is refused
 * before any rule is looked up. A check answers the field's clean value (trimmed,
 * de-duplicated, normalised) or throws BAD_USER_INPUT naming the field's path (`input.name`);
 * rules and services then work with clean values only.
 *
 * Checks are plain functions (common/validation.ts) because they clean as well as judge, and
 * their errors carry detail (the invalid emails); class-validator's decorators only judge.
 */
export type FieldCheck = (value: unknown, field: string) => unknown;

/** By the input type's GraphQL name (each checked class is named as its type). */
const CHECKS = new Map<string, Array<{ property: string; check: FieldCheck }>>();
/** Checks of a whole input (fields that must agree), run after its fields' own. */
const WHOLE = new Map<string, Array<(input: any, prefix: string) => void>>();

/** Declares the check of an input field; runs when the field has a value (null and absent are left to GraphQL's types). */
export function Check(check: FieldCheck): PropertyDecorator {
  return (prototype, property) => {
    const type = prototype.constructor.name;
    CHECKS.set(type, [...(CHECKS.get(type) ?? []), { property: String(property), check }]);
  };
}

/** Declares a check of the whole input, for fields that must agree with each other (a role that fits the resource type). */
export function CheckWhole<T>(check: (input: T, prefix: string) => void): ClassDecorator {
  return (type) => {
    WHOLE.set(type.name, [...(WHOLE.get(type.name) ?? []), check]);
  };
}

/** Cleans and checks, in place, the arguments of a field whose input types declare checks. */
export function checkArguments(definitions: readonly GraphQLArgument[], args: Record<string, unknown>): void {
  for (const definition of definitions) {
    const value = args[definition.name];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const type = getNamedType(definition.type).name;
    const record = value as Record<string, unknown>;
    for (const { property, check } of CHECKS.get(type) ?? []) {
      const current = record[property];
      if (current === undefined || current === null) continue;
      record[property] = check(current, `${definition.name}.${property}`);
    }
    for (const check of WHOLE.get(type) ?? []) check(record, definition.name);
  }
}
