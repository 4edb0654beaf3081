import { TimeoutClient } from './timeouts';

/**
 * The service's SQL is a bounded set of texts with their values passed apart, sent again and
 * again: named, each is parsed and planned once per connection instead of on every call (on a
 * small statement that is most of what PostgreSQL spends on it). Names are given to the first
 * MAX_NAMED texts seen; any text past that (there should be none) goes unnamed, as before.
 * Off (DB_PREPARED_STATEMENTS=false) behind a pooler in transaction mode, which moves a session's
 * statements between server connections.
 */
const MAX_NAMED = 2_000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) names.set(text, (name = `wsapi_${names.size + 1}`));
  return name;
}

/** A pooled client that sends each parameterised statement (TypeORM's `query(text, values)`) as a named one. */
export class PreparingClient extends TimeoutClient {
  override query(...args: any[]): any {
    if (args.length === 2 && typeof args[0] === 'string' && Array.isArray(args[1]) && args[1].length > 0) {
      const name = nameOf(args[0]);
      if (name) return super.query({ name, text: args[0], values: args[1] });
    }
    return super.query(...args);
  }
}
