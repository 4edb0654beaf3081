import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, type DefinitionNode } from 'graphql';
import type { Person } from '../support/fixtures';
import type { GqlResult, TestServer } from '../support/harness';

/**
 * The screens' own operations, from examples/web-client/operations (the typed client compiles the
 * same files): a test sends exactly what the UI sends, and counts it, one request per screen.
 */
const OPERATIONS = join(__dirname, '..', '..', 'examples', 'web-client', 'operations');

/** One named operation of a file, with the fragments it spreads (a file may hold several operations). */
export function operation(file: string, name: string): string {
  const document = parse(readFileSync(join(OPERATIONS, `${file}.graphql`), 'utf8'));
  const keep = (d: DefinitionNode) => d.kind === 'FragmentDefinition' || (d.kind === 'OperationDefinition' && d.name?.value === name);
  const definitions = document.definitions.filter(keep);
  if (!definitions.some((d) => d.kind === 'OperationDefinition')) throw new Error(`no operation ${name} in ${file}.graphql`);
  return print({ ...document, definitions });
}

/** A UI session: sends operations as one person, counting the requests. */
export function screenClient(server: TestServer, who: Person) {
  let requests = 0;
  return {
    get requests() {
      return requests;
    },
    send<T = any>(query: string, variables: Record<string, unknown>): Promise<GqlResult<T>> {
      requests++;
      return server.gql<T>(query, variables, who.token);
    },
  };
}
