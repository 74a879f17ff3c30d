import type { ApplicationSettings } from '../../../config/settings';
import { html } from '../../../pages/html';
import { PASSWORD_MIN_LENGTH } from '../../../users/password-rule';
import { ADMIN_ROLES, type UserView } from '../../../users/user';
import { may, type Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import { adminLayout, fieldError } from './admin-layout';
import { auditTable } from './audit-page';

export interface UserFormValues {
  username: string;
  email: string;
  name: string;
  /** `application:role` values. */
  roles: string[];
  adminRole: string;
}

export function usersListPage(actor: Actor, csrf: string, users: UserView[]): string {
  return adminLayout('Users', actor, csrf, html`
<h1>Users</h1>
<p><a class="button" href="/admin/users/new" id="create-user">Create user</a></p>
<table id="users">
  <thead><tr><th>Username</th><th>Email</th><th>Admin</th><th>Status</th><th>Roles</th></tr></thead>
  <tbody>${users.map((u) => html`<tr><td><a href="/admin/users/${u.userId}">${u.username}</a></td><td>${u.email ?? ''}</td><td>${u.adminRole ?? ''}</td><td class="status-${u.status}">${u.status}</td><td>${Object.entries(u.roles).map(([a, r]) => `${a}: ${r.join(', ')}`).join('; ')}</td></tr>`)}</tbody>
</table>`);
}

function userForm(actor: Actor, csrf: string, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, user?: UserView) {
  const allRoles = Object.entries(applications).flatMap(([app, a]) => Object.keys(a.roles).map((role) => `${app}:${role}`));
  const superAdmin = may(actor.adminRole, 'change-admin-role');
  return html`
<form method="post" action="${user ? `/admin/users/${user.userId}` : '/admin/users'}" novalidate>
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${fieldError(errors, 'form')}
  ${user ? html`<p>Username: <strong>${user.username}</strong></p>` : html`
  <label for="username">Username</label>
  <input id="username" name="username" maxlength="64" value="${values.username}" autocomplete="off">
  ${fieldError(errors, 'username')}`}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" value="${values.email}">
  ${fieldError(errors, 'email')}
  <label for="name">Name</label>
  <input id="name" name="name" value="${values.name}">
  ${fieldError(errors, 'name')}
  <label for="password">${user ? 'New password (leave empty to keep)' : `Password (at least ${PASSWORD_MIN_LENGTH} characters)`}</label>
  <input id="password" name="password" type="password" autocomplete="new-password">
  ${fieldError(errors, 'password')}
  <fieldset class="checks"><legend>Roles per application</legend>
  ${allRoles.map((r) => html`<label><input type="checkbox" name="roles" value="${r}" ${values.roles.includes(r) ? html`checked` : ''}> ${r}</label>`)}
  </fieldset>
  ${fieldError(errors, 'roles')}
  ${superAdmin ? html`<label for="adminRole">Admin role</label>
  <select id="adminRole" name="adminRole">${['', ...ADMIN_ROLES].map((r) => html`<option value="${r}" ${r === values.adminRole ? html`selected` : ''}>${r || 'none'}</option>`)}</select>` : html`<p class="muted">Admin role: ${values.adminRole || 'none'} (only super admins change admin roles)</p>`}
  ${fieldError(errors, 'adminRole')}
  <div class="actions"><button type="submit" id="save-user">${user ? 'Save changes' : 'Create user'}</button></div>
</form>`;
}

export function createUserPage(actor: Actor, csrf: string, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>): string {
  return adminLayout('Create user', actor, csrf, html`<h1>Create user</h1>${userForm(actor, csrf, values, errors, applications)}`);
}

export function userDetailPage(actor: Actor, csrf: string, user: UserView, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, audit: AuditEntry[]): string {
  const active = user.status === 'active';
  return adminLayout(user.username, actor, csrf, html`
<h1>${user.username}</h1>
<p>Status: <span id="user-status" class="status-${user.status}">${user.status}</span></p>
${userForm(actor, csrf, values, errors, applications, user)}
<h2>Manage</h2>
<form method="post" action="/admin/users/${user.userId}/${active ? 'disable' : 'enable'}" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="${active ? 'danger' : ''}" id="${active ? 'disable-user' : 'enable-user'}">${active ? 'Disable' : 'Enable'}</button>
</form>
<h2>History</h2>
${auditTable(audit)}`);
}
