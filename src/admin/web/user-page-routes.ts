import type { Request, Response, Router } from 'express';
import { redirect303, sendPage } from '../../pages/security-headers';
import type { UserView } from '../../users/user';
import { may } from '../admin-authorization';
import { applicationsWithRoles } from './applications-with-roles';
import { listParams, pageOf } from './list-query';
import { doneOf, formErrors, type AdminPagesDeps, type AdminPageWrap } from './page-context';
import { createUserPage, userDetailPage, usersListPage, type UserFormValues } from './views/user-pages';

function rolesFrom(values: string[]): Record<string, string[]> {
  // No prototype: an application named `__proto__` or `toString` is a key like any other, which
  // the registry then refuses as unknown (a plain object would find Object.prototype's members).
  const roles: Record<string, string[]> = Object.create(null);
  for (const value of values) {
    // Application names have no `:`, role names may: split at the first one.
    const at = value.indexOf(':');
    const [app, role] = at < 0 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
    if (app && role) (roles[app] ??= []).push(role);
  }
  return roles;
}

const valuesOf = (u: UserView): UserFormValues => ({
  username: u.username, email: u.email ?? '', name: u.name ?? '', adminRole: u.adminRole ?? '',
  roles: Object.entries(u.roles).flatMap(([app, list]) => list.map((r) => `${app}:${r}`)),
});

const valuesFrom = (form: URLSearchParams): UserFormValues => ({
  username: form.get('username') ?? '', email: form.get('email') ?? '', name: form.get('name') ?? '', roles: form.getAll('roles'), adminRole: form.get('adminRole') ?? '',
});

/** Users: list, create, edit (roles per application, admin role for super admins), disable, enable. */
export function userPageRoutes(router: Router, p: AdminPagesDeps, wrap: AdminPageWrap): void {
  const apps = p.settings.applications;
  const withRoles = () => applicationsWithRoles(apps, p.admin);
  // Every action ends on the user's page, which says what happened (`?done=`, see USER_DONE).
  const doneAt = (res: Response, userId: string, done: string) => redirect303(res, `/admin/users/${encodeURIComponent(userId)}?done=${done}`);
  const searchable = (u: UserView) => [u.username, u.name ?? '', u.email ?? '', u.adminRole ?? '', u.status, ...Object.entries(u.roles).flatMap(([a, r]) => [a, ...r])];
  router.get('/users', wrap(async (ctx, req, res) => sendPage(res, 200, usersListPage(ctx.actor, ctx.csrf, pageOf(await p.admin.listUsers(), listParams(req), searchable)), [], true)));
  router.get('/users/new', wrap(async (ctx, _req, res) => {
    sendPage(res, 200, createUserPage(ctx.actor, ctx.csrf, { username: '', email: '', name: '', roles: [], adminRole: '' }, {}, await withRoles()), [], true);
  }));
  router.post('/users', wrap(async (ctx, _req, res) => {
    const values = valuesFrom(ctx.form);
    try {
      const user = await p.admin.createUser(ctx.actor, {
        username: values.username, password: ctx.form.get('password') ?? '', email: values.email || undefined, name: values.name || undefined,
        roles: rolesFrom(values.roles), adminRole: (values.adminRole || undefined) as UserView['adminRole'],
      });
      doneAt(res, user.userId, 'created');
    } catch (err) {
      sendPage(res, 422, createUserPage(ctx.actor, ctx.csrf, values, formErrors(err), await withRoles()), [], true);
    }
  }));
  router.get('/users/:id', wrap(async (ctx, req, res) => {
    const user = await p.admin.getUser(req.params.id);
    sendPage(res, 200, userDetailPage(ctx.actor, ctx.csrf, user, valuesOf(user), {}, await withRoles(), await p.admin.auditLog(50, { type: 'user', id: user.userId }), doneOf(req)), [], true);
  }));
  router.post('/users/:id', wrap(async (ctx, req, res) => {
    const user = await p.admin.getUser(req.params.id);
    const values = { ...valuesFrom(ctx.form), username: user.username };
    try {
      const password = ctx.form.get('password') || undefined;
      const adminRole = may(ctx.actor.adminRole, 'change-admin-role') ? ((values.adminRole || null) as UserView['adminRole'] | null) : undefined;
      await p.admin.updateUser(ctx.actor, user.userId, { email: values.email || undefined, name: values.name || undefined, roles: rolesFrom(values.roles), adminRole, password });
      doneAt(res, user.userId, 'saved');
    } catch (err) {
      const audit = await p.admin.auditLog(50, { type: 'user', id: user.userId });
      sendPage(res, 422, userDetailPage(ctx.actor, ctx.csrf, user, values, formErrors(err), await withRoles(), audit), [], true);
    }
  }));
  for (const [action, status, done] of [['disable', 'disabled', 'disabled'], ['enable', 'active', 'enabled']] as const) {
    router.post(`/users/:id/${action}`, wrap(async (ctx, req, res) => {
      const user = await p.admin.updateUser(ctx.actor, req.params.id, { status });
      doneAt(res, user.userId, done);
    }));
  }
}
