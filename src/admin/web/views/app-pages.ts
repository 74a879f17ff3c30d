import type { ClientView } from '../../../clients/client';
import type { ApplicationSettings } from '../../../config/settings';
import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { ListPage } from '../list-query';
import { adminLayout, errorSummary, fieldError, invalid } from './admin-layout';
import { pager, searchForm } from './list-controls';

export const TYPES = { web: 'Web app (secret)', public: 'Public app (PKCE, no secret)', service: 'Service client (client credentials)' };
export const APP_FIELDS = { name: 'Name', description: 'Description', type: 'Type', application: 'Linked application', redirectUris: 'Redirect URIs', allowedOrigins: 'Allowed CORS origins', roles: 'Roles', adminRole: 'Admin role' };
export const date = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
export const statusWord = (app: ClientView) => (app.status === 'active' ? 'Active' : 'Deactivated');

/** Admin > Apps: search, one page of apps, the pager. */
export function appsListPage(actor: Actor, csrf: string, list: ListPage<ClientView>): string {
  return adminLayout('Apps', actor, csrf, html`
<h1>Apps</h1>
<p><a class="button" href="/admin/apps/new" id="create-app">Create App</a></p>
${searchForm('/admin/apps', list.q, 'Search apps (name, client ID, application, type, status)')}
<table id="apps" class="list">
  <thead><tr><th>Name</th><th>Type</th><th>Status</th><th>Linked application</th><th>Created (UTC)</th></tr></thead>
  <tbody>
  ${list.items.map((a) => html`<tr><td data-label="Name"><a href="/admin/apps/${a.clientId}">${a.name}</a></td><td data-label="Type">${TYPES[a.type]}</td><td data-label="Status" class="status-${a.status}">${statusWord(a)}</td><td data-label="Application">${a.application}</td><td data-label="Created">${date(a.createdAt)}</td></tr>`)}
  </tbody>
</table>
${list.total ? pager('/admin/apps', list, 'apps') : html`<p class="muted" id="no-apps">${list.q ? 'No app matches this search.' : 'No apps yet.'}</p>`}`);
}

/** What the create and edit forms hold (as typed, so an invalid submit keeps it). */
export interface AppFormValues {
  name: string;
  description: string;
  type: string;
  application: string;
  redirectUris: string;
  allowedOrigins: string;
  roles: string[];
}

/**
 * Create App (no `app`) or the edit form of the detail page; read-only (every field disabled, no
 * Save) for a deactivated app, which must be reactivated before it is changed.
 */
export function appForm(values: AppFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, csrf: string, app?: ClientView) {
  const allRoles = Object.entries(applications).flatMap(([name, a]) => Object.keys(a.roles).map((r) => ({ app: name, role: r })));
  const readOnly = app !== undefined && app.status !== 'active';
  return html`
<form method="post" action="${app ? `/admin/apps/${app.clientId}` : '/admin/apps'}" novalidate id="app-form">
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${errorSummary(errors, APP_FIELDS)}
  <fieldset class="read-only" ${readOnly ? html`disabled` : ''}>
  <label for="name">Name <span class="muted">(required, shown on the consent screen, max 255)</span></label>
  <input id="name" name="name" maxlength="255" value="${values.name}" ${invalid(errors, 'name')}>
  ${fieldError(errors, 'name')}
  <label for="description">Description <span class="muted">(internal, max 500)</span></label>
  <textarea id="description" name="description" maxlength="500" ${invalid(errors, 'description')}>${values.description}</textarea>
  ${fieldError(errors, 'description')}
  ${app ? html`<p>Type: <strong>${TYPES[app.type]}</strong> · Linked application: <strong>${app.application}</strong></p>` : html`
  <label for="type">Type</label>
  <select id="type" name="type" ${invalid(errors, 'type')}>${Object.entries(TYPES).map(([v, label]) => html`<option value="${v}" ${v === values.type ? html`selected` : ''}>${label}</option>`)}</select>
  ${fieldError(errors, 'type')}
  <label for="application">Linked application</label>
  <select id="application" name="application" ${invalid(errors, 'application')}>${Object.keys(applications).map((n) => html`<option value="${n}" ${n === values.application ? html`selected` : ''}>${n}</option>`)}</select>
  ${fieldError(errors, 'application')}`}
  <label for="redirectUris">Redirect URIs <span class="muted">(one per line; exact match, any port on http://127.0.0.1 and [::1]; no wildcards; required for web and public apps)</span></label>
  <textarea id="redirectUris" name="redirectUris" ${invalid(errors, 'redirectUris')}>${values.redirectUris}</textarea>
  ${fieldError(errors, 'redirectUris')}
  <label for="allowedOrigins">Allowed CORS origins <span class="muted">(one per line, e.g. https://app.example.com)</span></label>
  <textarea id="allowedOrigins" name="allowedOrigins" ${invalid(errors, 'allowedOrigins')}>${values.allowedOrigins}</textarea>
  ${fieldError(errors, 'allowedOrigins')}
  ${!app || app.type === 'service' ? html`<fieldset class="checks ${errors.roles ? 'invalid' : ''}" id="roles" ${errors.roles ? html`aria-describedby="error-roles"` : ''}><legend>Roles <span class="muted">(service clients: what its tokens may do)</span></legend>
  ${allRoles.filter((r) => !app || r.app === app.application).map((r) => html`<label><input type="checkbox" name="roles" value="${r.role}" ${values.roles.includes(r.role) ? html`checked` : ''}> ${r.app}: ${r.role}</label>`)}
  </fieldset>
  ${fieldError(errors, 'roles')}` : ''}
  </fieldset>
  ${readOnly ? '' : html`<div class="actions"><button type="submit" id="save">${app ? 'Save changes' : 'Create App'}</button> <a class="button secondary" href="${app ? `/admin/apps/${app.clientId}` : '/admin/apps'}">Cancel</a></div>`}
</form>`;
}

export function createAppPage(actor: Actor, csrf: string, values: AppFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>): string {
  return adminLayout('Create App', actor, csrf, html`<p><a href="/admin/apps" id="back">← All apps</a></p><h1>Create App</h1>${appForm(values, errors, applications, csrf)}`);
}

/** Regenerating is destructive (the old secret stops at once): confirm first. */
export function confirmRegeneratePage(actor: Actor, csrf: string, app: ClientView): string {
  return adminLayout('Regenerate secret', actor, csrf, html`
<h1>Regenerate the secret of ${app.name}?</h1>
<p class="notice">The current secret stops working <strong>immediately</strong>, on every gateway node. Anything still using it will fail until it is given the new secret, which is shown once.</p>
<form method="post" action="/admin/apps/${app.clientId}/secret" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="danger" id="confirm-regenerate">Regenerate secret</button>
  <a class="button secondary" href="/admin/apps/${app.clientId}" id="cancel">Cancel</a>
</form>`);
}

/** Deactivating stops the app at once: asked on a page like regenerating is (no browser `confirm()`). */
export function confirmDeactivatePage(actor: Actor, csrf: string, app: ClientView): string {
  return adminLayout('Deactivate app', actor, csrf, html`
<h1>Deactivate ${app.name}?</h1>
<p class="notice">Its tokens are refused <strong>at once</strong> on every gateway node, its refresh tokens and its users' consents end, and nobody can sign in to it or get a token for it. You can reactivate it later: its users will then be asked for their consent again.</p>
<form method="post" action="/admin/apps/${app.clientId}/deactivate" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="danger" id="confirm-deactivate">Deactivate app</button>
  <a class="button secondary" href="/admin/apps/${app.clientId}" id="cancel">Cancel</a>
</form>`);
}
