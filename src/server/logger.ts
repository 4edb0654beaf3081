import pino, { type Logger } from 'pino';

/** Structured JSON logs; every request's lines carry its requestId (a child logger). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'workspace-api' }, redact: ['req.headers.authorization', 'authorization'] });
}
