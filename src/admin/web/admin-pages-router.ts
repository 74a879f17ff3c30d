import express, { type Request, type Response, type Router } from 'express';
import { isMalformedPath } from '../../http/malformed-path';
import { readFormValues } from '../../http/read-form';
import { sendErrorPage } from '../../pages/error-page';
import { messagePage } from '../../pages/message-page';
import { redirect303, sendPage } from '../../pages/security-headers';
import { resolveActor } from '../admin-actor';
import { appPageRoutes } from './app-page-routes';
import type { AdminPageHandler, AdminPagesDeps } from './page-context';
import { auditPage } from './views/audit-page';
import { userPageRoutes } from './user-page-routes';
import { rolePageRoutes } from './role-page-routes';

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
        return sendPage(res, 403, messagePage('Forbidden', `${who.name} does not have an admin role.`, 'forbidden'), [], true);
      }
      let form = new URLSearchParams();
      if (req.method === 'POST') {
        form = await readFormValues(req);
        if (!p.csrf.verify(req, form.get('csrf_token') ?? undefined)) {
          return sendPage(res, 403, messagePage('Request refused', 'Your form expired. Go back, reload the page and try again.', 'csrf'), [], true);
        }
      }
      await handler({ actor: who.actor, csrf: p.csrf.token(req, res), form }, req, res);
    } catch (err) {
      if (res.headersSent) return;
      // Domain errors (404, 403, 409, 422), protocol errors, an outage (503 with Retry-After) and
      // anything unexpected: the one mapping (errors/classify-error.ts), written as a page.
      sendErrorPage(res, err, { title: 'Request refused', admin: true, logger: p.logger, log: { message: 'admin page failed', context: { path: req.path } } });
    }
  };

  // Before any route decodes `:id`: a path with a bad `%` escape or a control character is refused.
  router.use((req, res, next) => {
    if (!isMalformedPath(req.originalUrl)) return next();
    sendPage(res, 400, messagePage('Request refused', 'malformed request path', 'invalid_request'), [], true);
  });
  router.get('/', wrap(async (_ctx, _req, res) => redirect303(res, '/admin/apps')));
  appPageRoutes(router, p, wrap);
  userPageRoutes(router, p, wrap);
  rolePageRoutes(router, p, wrap);
  router.get('/audit', wrap(async (ctx, _req, res) => sendPage(res, 200, auditPage(ctx.actor, ctx.csrf, await p.admin.auditLog(500)), [], true)));
  return router;
}
