import type { RoleDefinition } from '../../../applications/permissions';
import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import type { RoleHolders } from '../../role-registry';
import { adminLayout, fieldError } from './admin-layout';
import { auditTable } from './audit-page';

/** What a role form holds (as typed, so an invalid submit keeps it). */
export interface RoleFormValues {
  name: string;
  description: string;
  permissions: string[];
}

/** One application's roles and permissions, as the pages show them. */
export interface ApplicationRoles {
  name: string;
  permissions: string[];
  roles: RoleDefinition[];
}

const base = (application: string) => `/admin/roles/${encodeURIComponent(application)}`;
const roleUrl = (application: string, role: string) => `${base(application)}/${encodeURIComponent(role)}`;
const SOURCE = { settings: 'Settings (read-only)', admin: 'Admin' };

/** Admin > Roles: every application, its declared permissions and its roles. */
export function rolesListPage(actor: Actor, csrf: string, applications: ApplicationRoles[]): string {
  return adminLayout('Roles', actor, csrf, html`
<h1>Roles</h1>
<p class="muted">A role is a name, a description and some of its application's declared permissions. Roles from the settings (YAML) are shown read-only: ops change them there. Changes reach tokens in use within the guard's cache time.</p>
${applications.map((a) => html`
<section id="roles-${a.name}">
<h2>${a.name}</h2>
<p>Declared permissions: ${a.permissions.length ? a.permissions.map((p) => html`<code>${p}</code> `) : html`<span class="muted">none</span>`}</p>
<p><a class="button" href="${base(a.name)}/new" id="new-role-${a.name}">New role</a></p>
<table class="roles list">
  <thead><tr><th>Name</th><th>Permissions</th><th>Source</th></tr></thead>
  <tbody>${a.roles.map((r) => html`<tr><td data-label="Name"><a href="${roleUrl(a.name, r.name)}">${r.name}</a>${r.description ? html`<br><span class="muted">${r.description}</span>` : ''}</td><td data-label="Permissions">${r.permissions.join(' ') || '—'}</td><td data-label="Source">${SOURCE[r.source]}</td></tr>`)}</tbody>
</table>
</section>`)}`);
}

/** The create form, or the edit form of a stored role. */
function roleForm(application: ApplicationRoles, values: RoleFormValues, errors: Record<string, string>, csrf: string, role?: RoleDefinition) {
  return html`
<form method="post" action="${role ? roleUrl(application.name, role.name) : base(application.name)}" novalidate id="role-form">
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${fieldError(errors, 'form')}
  <label for="name">Name <span class="muted">(letters, digits, _ . : -; renaming keeps it at its holders)</span></label>
  <input id="name" name="name" maxlength="64" value="${values.name}" aria-describedby="error-name">
  ${fieldError(errors, 'name')}
  <label for="description">Description <span class="muted">(what it is for, max 500)</span></label>
  <textarea id="description" name="description" maxlength="500">${values.description}</textarea>
  ${fieldError(errors, 'description')}
  <fieldset class="checks"><legend>Permissions</legend>
  ${application.permissions.map((p) => html`<label><input type="checkbox" name="permissions" value="${p}" ${values.permissions.includes(p) ? html`checked` : ''}> ${p}</label>`)}
  </fieldset>
  ${fieldError(errors, 'permissions')}
  <div class="actions"><button type="submit" id="save-role">${role ? 'Save changes' : 'Create role'}</button> <a class="button secondary" href="${role ? roleUrl(application.name, role.name) : '/admin/roles'}">Cancel</a></div>
</form>`;
}

const hasErrors = (errors: Record<string, string>) => Object.keys(errors).length > 0;

export function newRolePage(actor: Actor, csrf: string, application: ApplicationRoles, values: RoleFormValues, errors: Record<string, string>): string {
  return adminLayout('New role', actor, csrf, html`
<h1>New role of ${application.name}</h1>
${hasErrors(errors) ? html`<p class="error" role="alert">Please correct the fields marked below.</p>` : ''}
${roleForm(application, values, errors, csrf)}`);
}

function holdersList(holders: RoleHolders) {
  if (!holders.clients.length && !holders.users.length) return html`<p class="muted" id="holders">Nobody holds this role.</p>`;
  return html`<ul id="holders">
  ${holders.clients.map((c) => html`<li>App <a href="/admin/apps/${c.clientId}">${c.name}</a></li>`)}
  ${holders.users.map((u) => html`<li>User <a href="/admin/users/${u.userId}">${u.username}</a></li>`)}
</ul>`;
}

/** A role: read-only for a YAML role; edit, delete and "a service client with this role" for a stored one. */
export function roleDetailPage(actor: Actor, csrf: string, application: ApplicationRoles, role: RoleDefinition, holders: RoleHolders, form: { values: RoleFormValues; errors: Record<string, string> }, audit: AuditEntry[]): string {
  const readOnly = role.source === 'settings';
  return adminLayout(role.name, actor, csrf, html`
<p><a href="/admin/roles">← Roles</a></p>
<h1 id="role-title">${role.name} <span class="muted">(${application.name})</span></h1>
${readOnly ? html`<p class="notice" id="read-only">This role comes from the settings (YAML) and is read-only here: ops change it in <code>applications.${application.name}.roles</code>.</p>
<p>Permissions: ${role.permissions.map((p) => html`<code>${p}</code> `)}</p>` : html`
${hasErrors(form.errors) ? html`<p class="error" role="alert">Please correct the fields marked below.</p>` : ''}
<h2>Edit</h2>
${roleForm(application, form.values, form.errors, csrf, role)}`}
<h2>Held by</h2>
${holdersList(holders)}
<div class="actions">
  <a class="button secondary" id="new-client-with-role" href="/admin/apps/new?type=service&amp;application=${encodeURIComponent(application.name)}&amp;role=${encodeURIComponent(role.name)}">New service client with this role</a>
  ${readOnly ? '' : html`<a class="button danger" href="${roleUrl(application.name, role.name)}/delete" id="delete-role">Delete role</a>`}
</div>
<h2>History</h2>
${auditTable(audit)}`);
}

/** Deleting: names the holders; removing the role from them needs its own tick. */
export function confirmDeleteRolePage(actor: Actor, csrf: string, application: string, role: RoleDefinition, holders: RoleHolders, error?: string): string {
  const held = holders.clients.length + holders.users.length;
  return adminLayout('Delete role', actor, csrf, html`
<h1>Delete the role ${role.name} of ${application}?</h1>
${error ? html`<p class="error" role="alert" id="error-form">${error}</p>` : ''}
${held ? html`<p class="notice">This role is held by:</p>${holdersList(holders)}` : html`<p>Nobody holds this role.</p>`}
<form method="post" action="${roleUrl(application, role.name)}/delete">
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${held ? html`<fieldset class="checks"><label><input type="checkbox" name="remove_from_holders" value="true" id="remove-from-holders"> Remove the role from them (their tokens lose its permissions within the guard's cache time)</label></fieldset>` : ''}
  <div class="actions"><button type="submit" class="danger" id="confirm-delete">Delete role</button> <a class="button secondary" href="${roleUrl(application, role.name)}">Cancel</a></div>
</form>`);
}
