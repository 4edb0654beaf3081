import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { pageHeaders, publicDir } from './static-page';

/**
 * The Activity Center page at /activity: static files from public/activity (plain ES modules,
 * nothing to build) and the graphql-ws browser client straight from node_modules, so nothing
 * comes from a CDN and no vendored copy can drift from the server's version.
 */
export function activityPage(): Router {
  const router = express.Router();
  router.use(pageHeaders);
  router.get('/vendor/graphql-ws.min.js', (_req, res) => {
    res.sendFile(graphqlWsBrowserClient(), { maxAge: '1h' });
  });
  router.use(express.static(publicDir('activity'), { index: 'index.html', redirect: true }));
  return router;
}

/** The UMD build of graphql-ws (global `graphqlWs`), beside the package's CommonJS entry. */
function graphqlWsBrowserClient(): string {
  return join(dirname(require.resolve('graphql-ws')), '..', 'umd', 'graphql-ws.min.js');
}
