import type { Router } from 'express';
import { redirect303, sendPage } from '../../pages/security-headers';
import type { AdminPagesDeps, AdminPageWrap } from './page-context';
import { apiKeyPage, confirmApiKeyPage } from './views/api-key-page';

/** The reveal of an API key is kept apart from the app's secret (one cookie, one reveal each). */
const revealId = (clientId: string) => `api-key:${clientId}`;

/** Admin > Apps > an app > API key: show, issue or rotate (the key shown once), revoke. */
export function apiKeyPageRoutes(router: Router, p: AdminPagesDeps, wrap: AdminPageWrap): void {
  router.get('/apps/:id/api-key', wrap(async (ctx, req, res) => {
    const app = await p.admin.getApp(req.params.id);
    const key = await p.admin.apiKeyOf(app.clientId);
    sendPage(res, 200, apiKeyPage(ctx.actor, ctx.csrf, app, key, await p.secretReveal.take(req, res, revealId(app.clientId))), [], true);
  }));
  for (const what of ['rotate', 'revoke'] as const) {
    router.get(`/apps/:id/api-key/${what}`, wrap(async (ctx, req, res) => sendPage(res, 200, confirmApiKeyPage(ctx.actor, ctx.csrf, await p.admin.getApp(req.params.id), what), [], true)));
  }
  router.post('/apps/:id/api-key', wrap(async (ctx, req, res) => {
    // The POST answers 303, so a reload cannot rotate a second time; the key rides the reveal.
    const issued = await p.admin.issueApiKey(ctx.actor, req.params.id);
    await p.secretReveal.stash(res, revealId(issued.app.clientId), issued.apiKey);
    redirect303(res, `/admin/apps/${issued.app.clientId}/api-key`);
  }));
  router.post('/apps/:id/api-key/revoke', wrap(async (ctx, req, res) => {
    await p.admin.revokeApiKey(ctx.actor, req.params.id);
    redirect303(res, `/admin/apps/${req.params.id}/api-key`);
  }));
}
