import { startTracing } from './tracing';

/** Imported first by main.ts, so that the tracing instrumentations see http, express, graphql and pg load. */
export const tracing = startTracing();
