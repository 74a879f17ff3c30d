import type { Response, Router } from 'express';
import type { ClientView } from '../../clients/client';
import { redirect303, sendPage } from '../../pages/security-headers';
import { applicationsWithRoles } from './applications-with-roles';
import { listParams, pageOf } from './list-query';
import { doneOf, formErrors, type AdminPageContext, type AdminPagesDeps, type AdminPageWrap } from './page-context';
import { appDetailPage } from './views/app-detail-page';
import { appsListPage, confirmDeactivatePage, confirmRegeneratePage, createAppPage, TYPES, type AppFormValues } from './views/app-pages';

// One URI per line, kept as typed (not trimmed): whitespace in a URI is refused by the validator.
const lines = (text: string | null) => (text ?? '').split(/\r?\n/).filter((l) => l.trim() !== '');

function valuesFrom(form: URLSearchParams): AppFormValues {
  return {
    name: form.get('name') ?? '',
    description: form.get('description') ?? '',
    type: form.get('type') ?? 'web',
    application: form.get('application') ?? '',
    redirectUris: form.get('redirectUris') ?? '',
    allowedOrigins: form.get('allowedOrigins') ?? '',
    roles: form.getAll('roles'),
  };
}

function valuesOf(app: ClientView): AppFormValues {
  return { name: app.name, description: app.description ?? '', type: app.type, application: app.application, redirectUris: app.redirectUris.join('\n'), allowedOrigins: app.allowedOrigins.join('\n'), roles: app.roles };
}

/** What the search of the apps list looks in. */
const searchable = (a: ClientView) => [a.name, a.clientId, a.application, TYPES[a.type], a.type, a.status === 'active' ? 'active' : 'deactivated', a.description ?? ''];

/** Admin > Integrations > Apps: list, create (secret shown once), detail, edit, regenerate, deactivate, reactivate. */
export function appPageRoutes(router: Router, p: AdminPagesDeps, wrap: AdminPageWrap): void {
  const apps = p.settings.applications;
  const withRoles = () => applicationsWithRoles(apps, p.admin);
  const detail = async (ctx: AdminPageContext, res: Response, app: ClientView, values = valuesOf(app), errors: Record<string, string> = {}, secret?: string, done?: string) => {
    const audit = await p.admin.auditLog(50, { type: 'app', id: app.clientId });
    sendPage(res, Object.keys(errors).length ? 422 : 200, appDetailPage(ctx.actor, ctx.csrf, app, { values, errors }, await withRoles(), audit, { issuer: p.settings.issuer, secret, done }), [], true);
  };
  // Every action ends on the app's page, which says what happened (`?done=`, see APP_DONE).
  const doneAt = (res: Response, clientId: string, done: string) => redirect303(res, `/admin/apps/${encodeURIComponent(clientId)}?done=${done}`);

  router.get('/apps', wrap(async (ctx, req, res) => sendPage(res, 200, appsListPage(ctx.actor, ctx.csrf, pageOf(await p.admin.listApps(), listParams(req), searchable)), [], true)));
  router.get('/apps/new', wrap(async (ctx, req, res) => {
    // `?type=service&application=echo&role=r` (the role page's "New service client with this role") preselects them.
    const query = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    const type = query('type') === 'service' || query('type') === 'public' ? query('type')! : 'web';
    const application = Object.hasOwn(apps, query('application') ?? '') ? query('application')! : Object.keys(apps)[0];
    const empty: AppFormValues = { name: '', description: '', type, application, redirectUris: '', allowedOrigins: '', roles: query('role') ? [query('role')!] : [] };
    sendPage(res, 200, createAppPage(ctx.actor, ctx.csrf, empty, {}, await withRoles()), [], true);
  }));
  router.post('/apps', wrap(async (ctx, _req, res) => {
    const values = valuesFrom(ctx.form);
    try {
      // The registry checks every field and reports every problem at once (FieldChecks).
      const created = await p.admin.createApp(ctx.actor, {
        name: values.name, description: values.description || undefined, type: values.type as ClientView['type'], application: values.application,
        redirectUris: lines(values.redirectUris), allowedOrigins: lines(values.allowedOrigins), roles: values.roles,
      });
      if (created.clientSecret) await p.secretReveal.stash(res, created.client.clientId, created.clientSecret);
      doneAt(res, created.client.clientId, 'created');
    } catch (err) {
      sendPage(res, 422, createAppPage(ctx.actor, ctx.csrf, values, formErrors(err), await withRoles()), [], true);
    }
  }));
  router.get('/apps/:id', wrap(async (ctx, req, res) => {
    const app = await p.admin.getApp(req.params.id);
    await detail(ctx, res, app, undefined, undefined, await p.secretReveal.take(req, res, app.clientId), doneOf(req));
  }));
  router.post('/apps/:id', wrap(async (ctx, req, res) => {
    const app = await p.admin.getApp(req.params.id);
    const values = { ...valuesFrom(ctx.form), type: app.type, application: app.application };
    try {
      await p.admin.updateApp(ctx.actor, app.clientId, {
        name: values.name, description: values.description, redirectUris: lines(values.redirectUris), allowedOrigins: lines(values.allowedOrigins),
        ...(app.type === 'service' ? { roles: values.roles } : {}),
      });
      doneAt(res, app.clientId, 'saved');
    } catch (err) {
      await detail(ctx, res, app, values, formErrors(err));
    }
  }));
  router.get('/apps/:id/secret', wrap(async (ctx, req, res) => sendPage(res, 200, confirmRegeneratePage(ctx.actor, ctx.csrf, await p.admin.getApp(req.params.id)), [], true)));
  router.post('/apps/:id/secret', wrap(async (ctx, req, res) => {
    const rotated = await p.admin.regenerateSecret(ctx.actor, req.params.id);
    await p.secretReveal.stash(res, rotated.client.clientId, rotated.clientSecret!);
    doneAt(res, rotated.client.clientId, 'regenerated');
  }));
  router.get('/apps/:id/deactivate', wrap(async (ctx, req, res) => sendPage(res, 200, confirmDeactivatePage(ctx.actor, ctx.csrf, await p.admin.getApp(req.params.id)), [], true)));
  router.post('/apps/:id/deactivate', wrap(async (ctx, req, res) => {
    const app = await p.admin.deactivateApp(ctx.actor, req.params.id);
    doneAt(res, app.clientId, 'deactivated');
  }));
  router.post('/apps/:id/reactivate', wrap(async (ctx, req, res) => {
    const app = await p.admin.reactivateApp(ctx.actor, req.params.id);
    doneAt(res, app.clientId, 'reactivated');
  }));
}
