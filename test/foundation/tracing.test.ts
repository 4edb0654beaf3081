import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintToken } from '../../src/dev-token';
import { freshDatabase, TEST_SECRET } from '../support/harness';

/**
 * Traces, through the built service (`npm run build`; the instrumentations patch modules as
 * Node loads them, which jest's module registry hides): with OTEL_EXPORTER_OTLP_ENDPOINT set,
 * each request is one trace whose spans all carry its request id, with the database's spans
 * under the request's. PostgreSQL statements are traced through pg (PGlite is not pg).
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}

const built = existsSync('dist/src/main.js');
if (!built) console.log('tracing.test.ts: skipped, it runs the built service: npm run build first');
const onPostgres = !!process.env.TEST_DATABASE_URL;

(built ? describe : describe.skip)('traces', () => {
  const spans: OtlpSpan[] = [];
  let collector: http.Server;
  let child: ChildProcess;
  let output = '';
  let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let url = '';

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          for (const resource of JSON.parse(body).resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...scope.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    if (onPostgres) fresh = await freshDatabase({ migrated: true });
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        AUTH_JWT_SECRET: TEST_SECRET,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        PORT: '0',
        DATABASE_URL: fresh?.url ?? 'memory',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    child.stderr!.on('data', (d) => (output += d));
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        output += d;
        const listening = output
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l))
          .find((l) => l.msg === 'workspace-api listening');
        if (listening) resolve(`http://127.0.0.1:${listening.port}/graphql`);
      });
      child.on('exit', (code) => reject(new Error(`the service exited (${code}): ${output}`)));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    await new Promise((resolve) => collector.close(resolve));
    if (fresh) {
      await fresh.database.close();
      await fresh.drop();
    }
  });

  const request = (requestId: string, token: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
      // A text of its own: Apollo parses a text once, and the trace should show the parse.
      body: JSON.stringify({ query: `query Trace_${requestId.replace(/-/g, '_')} { viewer { id email workspaces { id } } }` }),
    }).then((res) => res.json() as Promise<any>);

  const requestIdOf = (span: OtlpSpan) => span.attributes.find((a) => a.key === 'request.id')?.value.stringValue;

  it('makes one trace per request, every span with its request id, the database spans under the request', async () => {
    const token = await mintToken(TEST_SECRET, { sub: 'test|tracer@trace.test', email: 'tracer@trace.test' });
    expect((await request('trace-one', token)).data.viewer.email).toBe('tracer@trace.test');
    expect((await request('trace-two', token)).data.viewer.email).toBe('tracer@trace.test');
    const deadline = Date.now() + 10_000;
    const server = (id: string) => spans.find((s) => s.kind === 2 && requestIdOf(s) === id);
    while (!(server('trace-one') && server('trace-two'))) {
      if (Date.now() > deadline) throw new Error(`no server spans; got ${spans.map((s) => s.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the batch with the rest of the spans

    for (const id of ['trace-one', 'trace-two']) {
      const root = server(id)!;
      expect(root.parentSpanId ?? '').toBe('');
      const trace = spans.filter((s) => s.traceId === root.traceId);
      // One trace per request: every span of it carries this request's id, and no other trace does.
      expect(trace.map(requestIdOf)).toEqual(trace.map(() => id));
      expect(spans.filter((s) => requestIdOf(s) === id && s.traceId !== root.traceId)).toEqual([]);
      expect(trace.map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^graphql\.(parse|validate)/)]));
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      const underRoot = (s: OtlpSpan): boolean => {
        for (let at: OtlpSpan | undefined = s; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) if (at === root) return true;
        return false;
      };
      expect(trace.every(underRoot)).toBe(true);
      if (onPostgres) {
        const database = trace.filter((s) => s.attributes.some((a) => a.key === 'db.system' || a.key === 'db.system.name'));
        expect(database.length).toBeGreaterThan(0);
      }
    }
    const one = server('trace-one')!;
    const two = server('trace-two')!;
    expect(one.traceId).not.toBe(two.traceId);
  });

  it('says "stopped" last on a clean stop', async () => {
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const last = output.trim().split('\n').filter((l) => l.startsWith('{')).pop()!;
    expect(JSON.parse(last).msg).toBe('stopped');
  });
});
