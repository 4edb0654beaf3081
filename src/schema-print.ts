import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema } from 'graphql';
import { buildAppSchema } from './schema';

/** `write` emits schema.graphql (with its @auth directives); `check` fails if it is stale. */
async function main(mode: string): Promise<void> {
  const schema = await buildAppSchema();
  const header = '# Emitted by `npm run schema` from the code: do not edit by hand.\n\n';
  const text = header + printSchemaWithDirectives(lexicographicSortSchema(schema)) + '\n';
  const path = join(__dirname, '..', '..', 'schema.graphql');
  if (mode === 'write') {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
    return;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (current !== text) {
    console.error('schema.graphql is stale: run `npm run schema` and commit it');
    process.exit(1);
  }
  console.log('schema.graphql is fresh');
}

main(process.argv[2] ?? 'check').catch((error) => {
  console.error(error);
  process.exit(1);
});
