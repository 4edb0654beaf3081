import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { isUuid } from '../authorization/access';
import { pageHeaders, publicDir } from './static-page';

/**
 * Where an invitation mail's link lands, /invitations/<workspaceId>: the app's sign-in page when
 * APP_SIGN_IN_URL is set (the product's rule: the link always goes to sign-in, account or not),
 * else the service's own small page (public/invitations) to accept or decline.
 */
export function invitationPage(appSignInUrl: string | undefined): Router {
  const router = express.Router();
  const dir = publicDir('invitations');
  router.use(pageHeaders);
  // The page's files, under a path no workspace id can take.
  router.use('/assets', express.static(dir, { index: false, redirect: false }));
  // Links mailed before the page existed.
  router.get('/:workspaceId/accept', (req, res) => {
    if (!isUuid(req.params.workspaceId)) return notFound(res);
    res.redirect(301, `/invitations/${req.params.workspaceId.toLowerCase()}`);
  });
  router.get('/:workspaceId', (req, res) => {
    if (!isUuid(req.params.workspaceId)) return notFound(res);
    const workspaceId = req.params.workspaceId.toLowerCase();
    if (appSignInUrl) return res.redirect(302, signInLink(appSignInUrl, workspaceId));
    res.sendFile(join(dir, 'index.html'), { headers: { 'cache-control': 'no-cache' } });
  });
  return router;
}

/** The sign-in URL with workspaceId added to its query (its own query and hash kept). */
function signInLink(appSignInUrl: string, workspaceId: string): string {
  const url = new URL(appSignInUrl);
  url.searchParams.set('workspaceId', workspaceId);
  return url.href;
}

function notFound(res: Response): void {
  res.status(404).type('text/plain').send('Not found');
}
