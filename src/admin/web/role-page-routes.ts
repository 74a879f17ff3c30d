import type { Response, Router } from 'express';
import { grantablePermissions } from '../../applications/permissions';
import { ConflictError, NotFoundError } from '../../errors/domain-errors';
import { redirect303, sendPage } from '../../pages/security-headers';
import { formErrors, type AdminPageContext, type AdminPagesDeps, type AdminPageWrap } from './page-context';
import { confirmDeleteRolePage, newRolePage, rolesListPage, roleDetailPage, type ApplicationRoles, type RoleFormValues } from './views/role-pages';

function valuesFrom(form: URLSearchParams): RoleFormValues {
  return { name: form.get('name') ?? '', description: form.get('description') ?? '', permissions: form.getAll('permissions') };
}

const roleUrl = (application: string, role: string) => `/admin/roles/${encodeURIComponent(application)}/${encodeURIComponent(role)}`;

/** Admin > Roles: list, create, show (with holders), edit or rename, delete (refused or forced for held roles). */
export function rolePageRoutes(router: Router, p: AdminPagesDeps, wrap: AdminPageWrap): void {
  const apps = p.settings.applications;
  const applicationRoles = async (name: string): Promise<ApplicationRoles> => {
    if (!Object.hasOwn(apps, name)) throw new NotFoundError('application', name);
    return { name, permissions: [...grantablePermissions(apps[name])], roles: await p.admin.listRoles(name) };
  };
  const detail = async (ctx: AdminPageContext, res: Response, application: string, name: string, values?: RoleFormValues, errors: Record<string, string> = {}) => {
    const app = await applicationRoles(application);
    const { holders, ...role } = await p.admin.getRole(application, name);
    const audit = await p.admin.auditLog(50, { type: 'role', id: `${application}/${name}` });
    const form = { values: values ?? { name: role.name, description: role.description ?? '', permissions: role.permissions }, errors };
    sendPage(res, Object.keys(errors).length ? 422 : 200, roleDetailPage(ctx.actor, ctx.csrf, app, role, holders, form, audit), [], true);
  };

  router.get('/roles', wrap(async (ctx, _req, res) => {
    sendPage(res, 200, rolesListPage(ctx.actor, ctx.csrf, await Promise.all(Object.keys(apps).map(applicationRoles))), [], true);
  }));
  router.get('/roles/:application/new', wrap(async (ctx, req, res) => {
    sendPage(res, 200, newRolePage(ctx.actor, ctx.csrf, await applicationRoles(req.params.application), { name: '', description: '', permissions: [] }, {}), [], true);
  }));
  router.post('/roles/:application', wrap(async (ctx, req, res) => {
    const application = req.params.application;
    const values = valuesFrom(ctx.form);
    try {
      const role = await p.admin.createRole(ctx.actor, application, { name: values.name, description: values.description, permissions: values.permissions });
      redirect303(res, roleUrl(application, role.name));
    } catch (err) {
      sendPage(res, 422, newRolePage(ctx.actor, ctx.csrf, await applicationRoles(application), values, formErrors(err)), [], true);
    }
  }));
  router.get('/roles/:application/:role', wrap(async (ctx, req, res) => detail(ctx, res, req.params.application, req.params.role)));
  router.post('/roles/:application/:role', wrap(async (ctx, req, res) => {
    const { application, role } = req.params;
    const values = valuesFrom(ctx.form);
    try {
      const updated = await p.admin.updateRole(ctx.actor, application, role, values);
      redirect303(res, roleUrl(application, updated.name));
    } catch (err) {
      await detail(ctx, res, application, role, values, formErrors(err));
    }
  }));
  router.get('/roles/:application/:role/delete', wrap(async (ctx, req, res) => {
    const { holders, ...role } = await p.admin.getRole(req.params.application, req.params.role);
    sendPage(res, 200, confirmDeleteRolePage(ctx.actor, ctx.csrf, req.params.application, role, holders), [], true);
  }));
  router.post('/roles/:application/:role/delete', wrap(async (ctx, req, res) => {
    const { application, role } = req.params;
    try {
      await p.admin.deleteRole(ctx.actor, application, role, { removeFromHolders: ctx.form.get('remove_from_holders') === 'true' });
      redirect303(res, '/admin/roles');
    } catch (err) {
      // A held role (or a YAML one): the same page again, saying why; anything else is the error page.
      if (!(err instanceof ConflictError)) throw err;
      const { holders, ...found } = await p.admin.getRole(application, role);
      sendPage(res, 409, confirmDeleteRolePage(ctx.actor, ctx.csrf, application, found, holders, err.message), [], true);
    }
  }));
}
