import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, execute, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { selectsSubField } from '../../src/modules/common/selection';

/**
 * selectsSubField decides whether a resolver does work only one sub-field needs (a list's
 * total): a wrong "no" would answer a wrong total. Checked on graphql-js and on compiled code,
 * which build the resolve info each their own way.
 */
let seen: boolean[] = [];
const Item = new GraphQLObjectType({ name: 'Item', fields: { id: { type: GraphQLInt }, owner: { type: GraphQLString } } });
const List = new GraphQLObjectType({
  name: 'List',
  fields: {
    total: { type: new GraphQLNonNull(GraphQLInt) },
    items: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Item))) },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      list: {
        type: new GraphQLNonNull(List),
        resolve: (_root, _args, _ctx, info) => {
          seen.push(selectsSubField(info, 'total'), selectsSubField(info, 'items', 'owner'));
          return { total: 2, items: [{ id: 1, owner: 'a' }] };
        },
      },
    },
  }),
});

/** [name, document, variables, asks for total, asks for items.owner] */
const cases: Array<[string, string, Record<string, unknown>, boolean, boolean]> = [
  ['total asked for', '{ list { total } }', {}, true, false],
  ['neither asked for', '{ list { items { id } } }', {}, false, false],
  ['both, under aliases', '{ list { n: total all: items { who: owner } } }', {}, true, true],
  ['in a named fragment', 'query { list { ...F } } fragment F on List { total items { owner } }', {}, true, true],
  ['in inline fragments', '{ list { ... on List { total items { ... on Item { owner } } } } }', {}, true, true],
  ['owner under a second alias of items', '{ list { a: items { id } b: items { owner } } }', {}, false, true],
  ['kept by @include(if: true)', 'query($t: Boolean!) { list { total @include(if: $t) items { owner @include(if: $t) } } }', { t: true }, true, true],
  ['dropped by @include(if: false)', 'query($t: Boolean!) { list { items { id owner @include(if: $t) } total @include(if: $t) } }', { t: false }, false, false],
  ['dropped by @skip on its fragment', 'query($t: Boolean!) { list { items { id } ... on List @skip(if: $t) { total } } }', { t: true }, false, false],
  ['an alias named like it, of another field', '{ list { total: items { owner: id } } }', {}, false, false],
];

describe.each(['graphql-js', 'graphql-jit'])('selectsSubField on %s', (executor) => {
  it.each(cases)('%s', async (_name, query, variables, total, owner) => {
    seen = [];
    const document = parse(query);
    if (executor === 'graphql-js') {
      expect((await execute({ schema, document, variableValues: variables })).errors).toBeUndefined();
    } else {
      const compiled = compileQuery(schema, document);
      if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled.errors));
      expect((await compiled.query(undefined, {}, variables)).errors).toBeUndefined();
    }
    expect(seen).toEqual([total, owner]);
  });
});
