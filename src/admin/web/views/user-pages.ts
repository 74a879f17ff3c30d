import type { ApplicationSettings } from '../../../config/settings';
import { html } from '../../../pages/html';
import { PASSWORD_MIN_LENGTH } from '../../../users/password-rule';
import { ADMIN_ROLES, type UserView } from '../../../users/user';
import { may, type Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import type { ListPage } from '../list-query';
import { adminLayout, doneNotice, errorSummary, fieldError, invalid } from './admin-layout';
import { auditTable } from './audit-table';
import { pager, searchForm } from './list-controls';

const USER_FIELDS = { username: 'Username', email: 'Email', name: 'Name', password: 'Password', roles: 'Roles per application', adminRole: 'Admin role' };

/** What each action on a user says on the page it ends on (`?done=`). */
export const USER_DONE = {
  created: 'User created.',
  saved: 'Changes saved.',
  disabled: 'User disabled: signed out everywhere, and their grants ended.',
  enabled: 'User enabled: they can sign in again.',
};

export interface UserFormValues {
  username: string;
  email: string;
  name: string;
  /** `application:role` values. */
  roles: string[];
  adminRole: string;
}

export function usersListPage(actor: Actor, csrf: string, list: ListPage<UserView>): string {
  return adminLayout('Users', actor, csrf, html`
<h1>Users</h1>
<p><a class="button" href="/admin/users/new" id="create-user">Create user</a></p>
${searchForm('/admin/users', list.q, 'Search users (username, name, email, role)')}
<table id="users" class="list">
  <thead><tr><th>Username</th><th>Name</th><th>Status</th><th>Admin</th><th>Email</th><th>Roles</th></tr></thead>
  <tbody>${list.items.map((u) => html`<tr><td data-label="Username"><a href="/admin/users/${u.userId}">${u.username}</a></td><td data-label="Name">${u.name ?? ''}</td><td data-label="Status" class="status-${u.status}">${u.status === 'active' ? 'Active' : 'Disabled'}</td><td data-label="Admin">${u.adminRole ?? 'no'}</td><td data-label="Email">${u.email ?? ''}</td><td data-label="Roles">${Object.entries(u.roles).map(([a, r]) => `${a}: ${r.join(', ')}`).join('; ')}</td></tr>`)}</tbody>
</table>
${list.total ? pager('/admin/users', list, 'users') : html`<p class="muted" id="no-users">${list.q ? 'No user matches this search.' : 'No users yet.'}</p>`}`);
}

function userForm(actor: Actor, csrf: string, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, user?: UserView) {
  const allRoles = Object.entries(applications).flatMap(([app, a]) => Object.keys(a.roles).map((role) => `${app}:${role}`));
  const superAdmin = may(actor.adminRole, 'change-admin-role');
  return html`
<form method="post" action="${user ? `/admin/users/${user.userId}` : '/admin/users'}" novalidate>
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${errorSummary(errors, USER_FIELDS)}
  ${user ? html`<p>Username: <strong>${user.username}</strong></p>` : html`
  <label for="username">Username</label>
  <input id="username" name="username" maxlength="64" value="${values.username}" autocomplete="off" ${invalid(errors, 'username')}>
  ${fieldError(errors, 'username')}`}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" value="${values.email}" ${invalid(errors, 'email')}>
  ${fieldError(errors, 'email')}
  <label for="name">Name</label>
  <input id="name" name="name" value="${values.name}" ${invalid(errors, 'name')}>
  ${fieldError(errors, 'name')}
  <label for="password">${user ? 'New password (leave empty to keep)' : `Password (at least ${PASSWORD_MIN_LENGTH} characters)`}</label>
  <input id="password" name="password" type="password" autocomplete="new-password" ${invalid(errors, 'password')}>
  ${fieldError(errors, 'password')}
  <fieldset class="checks ${errors.roles ? 'invalid' : ''}" id="roles" ${errors.roles ? html`aria-describedby="error-roles"` : ''}><legend>Roles per application</legend>
  ${allRoles.map((r) => html`<label><input type="checkbox" name="roles" value="${r}" ${values.roles.includes(r) ? html`checked` : ''}> ${r}</label>`)}
  </fieldset>
  ${fieldError(errors, 'roles')}
  ${superAdmin ? html`<label for="adminRole">Admin role</label>
  <select id="adminRole" name="adminRole" ${invalid(errors, 'adminRole')}>${['', ...ADMIN_ROLES].map((r) => html`<option value="${r}" ${r === values.adminRole ? html`selected` : ''}>${r || 'none'}</option>`)}</select>` : html`<p class="muted">Admin role: ${values.adminRole || 'none'} (only super admins change admin roles)</p>`}
  ${fieldError(errors, 'adminRole')}
  <div class="actions"><button type="submit" id="save-user">${user ? 'Save changes' : 'Create user'}</button> <a class="button secondary" href="${user ? `/admin/users/${user.userId}` : '/admin/users'}">Cancel</a></div>
</form>`;
}

export function createUserPage(actor: Actor, csrf: string, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>): string {
  return adminLayout('Create user', actor, csrf, html`<p><a href="/admin/users" id="back">← All users</a></p><h1>Create user</h1>${userForm(actor, csrf, values, errors, applications)}`);
}

export function userDetailPage(actor: Actor, csrf: string, user: UserView, values: UserFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, audit: AuditEntry[], done?: string): string {
  const active = user.status === 'active';
  return adminLayout(user.username, actor, csrf, html`
<p><a href="/admin/users" id="back">← All users</a></p>
${doneNotice(USER_DONE, done)}
<h1>${user.username}</h1>
<p>Status: <span id="user-status" class="status-${user.status}">${user.status}</span></p>
${active ? '' : html`<div class="banner" role="note" id="disabled-banner"><strong>This user is disabled.</strong> They cannot sign in until you enable them.</div>`}
${userForm(actor, csrf, values, errors, applications, user)}
<h2>Manage</h2>
<form method="post" action="/admin/users/${user.userId}/${active ? 'disable' : 'enable'}" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="${active ? 'danger' : ''}" id="${active ? 'disable-user' : 'enable-user'}">${active ? 'Disable' : 'Enable'}</button>
</form>
<h2>History</h2>
${auditTable(audit)}`);
}
