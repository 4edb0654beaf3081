import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { trace, type Context as OtelContext } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { currentRequestId } from './server/request-log';

/** Longer request ids are cut, as the service cuts them (app.ts). */
const MAX_REQUEST_ID = 100;
const REQUEST_ID = 'request.id';

/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: an HTTP request, its
 * Express middleware, the GraphQL parse/validate/execute and every PostgreSQL statement as one
 * trace, exported over OTLP/HTTP (the exporter reads the standard OTEL_* variables). Imported
 * first by main.ts: the instrumentations patch http, express, graphql and pg as they load.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): NodeTracerProvider | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'workspace-api' }),
    spanProcessors: [new RequestIdSpans(), new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        // The request id is settled here, before any middleware: the service reads the same header.
        requestHook: (span, request) => {
          if ('getHeader' in request) return; // an outgoing request (webhooks): not ours to name
          const incoming = request as IncomingMessage;
          const given = incoming.headers['x-request-id'];
          const requestId = (typeof given === 'string' && given.slice(0, MAX_REQUEST_ID)) || randomUUID();
          incoming.headers['x-request-id'] = requestId;
          span.setAttribute(REQUEST_ID, requestId);
        },
      }),
      new ExpressInstrumentation(),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      new PgInstrumentation(),
    ],
  });
  return provider;
}

/** Every span carries its request's id: its parent's, or that of the request being served (WebSocket operations). */
class RequestIdSpans implements SpanProcessor {
  onStart(span: Span, parentContext: OtelContext): void {
    if (span.attributes[REQUEST_ID]) return;
    const parent = trace.getSpan(parentContext) as unknown as ReadableSpan | undefined;
    const requestId = parent?.attributes?.[REQUEST_ID] ?? currentRequestId();
    if (requestId) span.setAttribute(REQUEST_ID, String(requestId));
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
