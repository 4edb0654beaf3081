#!/usr/bin/env node
// Prints the JSON body of a GraphQL request from an example: the operation in `<name>.graphql`
// and its variables in `<name>.variables.json` (if any), where "${NAME}" is replaced by the
// environment variable NAME. Pipe it to curl:
//   node examples/body.cjs examples/viewer.graphql | curl -s "$URL" -H 'content-type: application/json' \
//     -H "authorization: Bearer $TOKEN" -d @-
// test/docs/examples.test.ts runs every example through this same function.
'use strict';
const { existsSync, readFileSync } = require('node:fs');

function requestBody(file, env = process.env) {
  const query = readFileSync(file, 'utf8');
  const variablesFile = file.replace(/\.graphql$/, '.variables.json');
  const raw = existsSync(variablesFile) ? readFileSync(variablesFile, 'utf8') : '{}';
  const variables = JSON.parse(raw, (_key, value) =>
    typeof value === 'string'
      ? value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name) => {
          if (!env[name]) throw new Error(`${variablesFile} needs ${name}: export ${name}=... first`);
          return env[name];
        })
      : value,
  );
  return { query, variables };
}

module.exports = { requestBody };

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node examples/body.cjs examples/<name>.graphql');
    process.exit(2);
  }
  try {
    process.stdout.write(JSON.stringify(requestBody(file)));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
