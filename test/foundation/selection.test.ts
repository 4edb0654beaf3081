import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, execute, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { selectsSubField } from '../../src/modules/common/selection';

/**
 * selectsSubField decides whether a resolver does work only one sub-field needs (a list's
 * total): a wrong "no" would answer a wrong total. Checked on graphql-js and on compiled code,
 * which build the resolve info each their own way.
 */
let seen: boolean[] = [];
const List = new GraphQLObjectType({
  name: 'List',
  fields: { total: { type: new GraphQLNonNull(GraphQLInt) }, items: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLInt))) } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      list: {
        type: new GraphQLNonNull(List),
        resolve: (_root, _args, _ctx, info) => {
          seen.push(selectsSubField(info, 'total'));
          return { total: 2, items: [1, 2] };
        },
      },
    },
  }),
});

const cases: Array<[string, string, Record<string, unknown>, boolean]> = [
  ['asked for', '{ list { total } }', {}, true],
  ['not asked for', '{ list { items } }', {}, false],
  ['under an alias', '{ list { n: total } }', {}, true],
  ['in a named fragment', 'query { list { ...F } } fragment F on List { total }', {}, true],
  ['in an inline fragment', '{ list { ... on List { total } } }', {}, true],
  ['kept by @include(if: true)', 'query($t: Boolean!) { list { items total @include(if: $t) } }', { t: true }, true],
  ['dropped by @include(if: false)', 'query($t: Boolean!) { list { items total @include(if: $t) } }', { t: false }, false],
  ['dropped by @skip on its fragment', 'query($t: Boolean!) { list { items ... on List @skip(if: $t) { total } } }', { t: true }, false],
  ['an alias named like it, of another field', '{ list { total: items } }', {}, false],
];

describe.each(['graphql-js', 'graphql-jit'])('selectsSubField on %s', (executor) => {
  it.each(cases)('%s', async (_name, query, variables, expected) => {
    seen = [];
    const document = parse(query);
    if (executor === 'graphql-js') {
      expect((await execute({ schema, document, variableValues: variables })).errors).toBeUndefined();
    } else {
      const compiled = compileQuery(schema, document);
      if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled.errors));
      expect((await compiled.query(undefined, {}, variables)).errors).toBeUndefined();
    }
    expect(seen).toEqual([expected]);
  });
});
