import { createServer } from 'node:http';
import { buildSchema, execute, parse, validate, type GraphQLSchema } from 'graphql';
import { jwtVerify } from 'jose';
import pg from 'pg';

/**
 * The S2 peer for framework overhead: plain graphql-js (the same graphql 16 the service uses)
 * on node:http, a trivial schema `viewer { id }`. Each request does what any honest GraphQL
 * server does: verify the bearer token (HS256, as the service does), parse, validate, execute,
 * JSON.stringify. No document cache: that is the plain way.
 *
 * env: PORT, DATABASE_URL (read once, for the subject -> id map), AUTH_JWT_SECRET.
 */
const schema: GraphQLSchema = buildSchema(`
  type Viewer { id: ID! email: String! }
  type Query { viewer: Viewer! }
`);

async function main(): Promise<void> {
  const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows } = await client.query(`SELECT subject, id, email FROM users WHERE subject IS NOT NULL`);
  await client.end();
  const people = new Map<string, { id: string; email: string }>(rows.map((r) => [r.subject, { id: r.id, email: r.email }]));

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      if (req.url === '/healthz') {
        res.end('ok');
        return;
      }
      try {
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        const viewer = people.get(payload.sub!) ?? null;
        const { query, variables } = JSON.parse(raw);
        const document = parse(query);
        const errors = validate(schema, document);
        const result = errors.length
          ? { errors }
          : await execute({ schema, document, variableValues: variables, rootValue: { viewer } });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
