import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';

/**
 * The Activity Center page at /activity: static files from public/activity (plain ES modules,
 * nothing to build) and the graphql-ws browser client straight from node_modules, so nothing
 * comes from a CDN and no vendored copy can drift from the server's version.
 */
export function activityPage(): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    // Everything the page loads is its own; the WebSocket goes to this origin ('self' covers ws: since CSP 3).
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  router.get('/vendor/graphql-ws.min.js', (_req, res) => {
    res.sendFile(graphqlWsBrowserClient(), { maxAge: '1h' });
  });
  router.use(express.static(join(projectRoot(), 'public', 'activity'), { index: 'index.html', redirect: true }));
  return router;
}

/** The UMD build of graphql-ws (global `graphqlWs`), beside the package's CommonJS entry. */
function graphqlWsBrowserClient(): string {
  return join(dirname(require.resolve('graphql-ws')), '..', 'umd', 'graphql-ws.min.js');
}

/** The folder holding package.json: the same from src/ (tests) and from dist/src/ (the build). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}
