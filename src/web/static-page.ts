import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RequestHandler } from 'express';

/**
 * What the service's own pages (/activity, /invitations) share: strict headers and the folder
 * their static files come from.
 */

/** Everything a page loads is its own; the WebSocket goes to this origin ('self' covers ws: since CSP 3). */
export const pageHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
};

/** public/<page>, found from src/ (tests) and from dist/src/ (the build) alike. */
export function publicDir(page: string): string {
  return join(projectRoot(), 'public', page);
}

/** The folder holding package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}
