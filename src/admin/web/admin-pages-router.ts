import express, { type Request, type Response, type Router } from 'express';
import { isMalformedPath } from '../../http/malformed-path';
import { readFormValues } from '../../http/read-form';
import { sendErrorPage } from '../../pages/error-page';
import { html } from '../../pages/html';
import { notFound, problemBody, problemPage, type WayBack } from '../../pages/message-page';
import { redirect303, sendPage } from '../../pages/security-headers';
import { resolveActor } from '../admin-actor';
import { apiKeyPageRoutes } from './api-key-page-routes';
import { appPageRoutes } from './app-page-routes';
import { auditPageRoutes } from './audit-page-routes';
import type { AdminPageHandler, AdminPagesDeps } from './page-context';
import { userPageRoutes } from './user-page-routes';
import { adminLayout } from './views/admin-layout';
import { rolePageRoutes } from './role-page-routes';

const TO_APPS: WayBack = { href: '/admin/apps', label: 'Back to the apps' };

/**
 * `/admin`: signed-in admins and super admins only. Anonymous visitors are sent to sign in and
 * back; signed-in users without an admin role get a 403 page. Every form is CSRF-checked, every
 * change answers 303, and the pages carry the same security headers as the consent page.
 */
export function adminPagesRouter(p: AdminPagesDeps): Router {
  const router = express.Router();
  const wrap = (handler: AdminPageHandler) => async (req: Request, res: Response) => {
    try {
      const who = await resolveActor(req, p);
      if (who.kind === 'anonymous' || who.kind === 'invalid-token') {
        return redirect303(res, `/login?return_to=${encodeURIComponent(req.originalUrl)}`);
      }
      if (who.kind === 'not-admin') {
        // Signed in as someone else than meant, most likely: offer to sign out and in again.
        const signOut = html`<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="${p.csrf.token(req, res)}"><button type="submit" id="sign-out">Sign out</button></form>`;
        return sendPage(res, 403, problemPage({
          title: 'No access to the admin area', message: `You are signed in as ${who.name}, who does not have an admin role.`,
          hint: 'Sign out and sign in with an admin account, or ask a super admin to give this account an admin role.', code: 'forbidden', extra: signOut,
          back: { href: `/login?return_to=${encodeURIComponent(req.originalUrl)}`, label: 'Sign in as someone else' },
        }), [], true);
      }
      let form = new URLSearchParams();
      if (req.method === 'POST') {
        form = await readFormValues(req);
        if (!p.csrf.verify(req, form.get('csrf_token') ?? undefined)) {
          return sendPage(res, 403, problemPage({ title: 'Request refused', message: 'Your form expired, so nothing was changed.', hint: 'Go back, reload the page and try again.', code: 'csrf', back: TO_APPS }), [], true);
        }
      }
      await handler({ actor: who.actor, csrf: p.csrf.token(req, res), form }, req, res);
    } catch (err) {
      if (res.headersSent) return;
      // Domain errors (404, 403, 409, 422), protocol errors, an outage (503 with Retry-After) and
      // anything unexpected: the one mapping (errors/classify-error.ts), written as a page.
      sendErrorPage(res, err, { title: 'Request refused', admin: true, back: TO_APPS, logger: p.logger, log: { message: 'admin page failed', context: { path: req.path } } });
    }
  };

  // Before any route decodes `:id`: a path with a bad `%` escape or a control character is refused.
  router.use((req, res, next) => {
    if (!isMalformedPath(req.originalUrl)) return next();
    sendPage(res, 400, problemPage({ title: 'Request refused', message: 'This address is not a valid one (a malformed path).', code: 'invalid_request', back: TO_APPS }), [], true);
  });
  router.get('/', wrap(async (_ctx, _req, res) => redirect303(res, '/admin/apps')));
  appPageRoutes(router, p, wrap);
  apiKeyPageRoutes(router, p, wrap);
  userPageRoutes(router, p, wrap);
  rolePageRoutes(router, p, wrap);
  auditPageRoutes(router, p, wrap);
  // Last: an admin path nothing serves is a page in the admin layout, never "Cannot GET".
  router.use(wrap(async (ctx, _req, res) => sendPage(res, 404, adminLayout('Page not found', ctx.actor, ctx.csrf, problemBody(notFound(TO_APPS))), [], true)));
  return router;
}
