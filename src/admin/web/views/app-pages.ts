import type { ClientView } from '../../../clients/client';
import type { ApplicationSettings } from '../../../config/settings';
import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import { adminLayout, fieldError } from './admin-layout';
import { auditTable } from './audit-page';

const TYPES = { web: 'Web app (secret)', public: 'Public app (PKCE, no secret)', service: 'Service client (client credentials)' };
/** Errors tied to a field (`form` is the one shown at the top of the form). */
const hasFieldErrors = (errors: Record<string, string>) => Object.keys(errors).some((k) => k !== 'form');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Admin > Integrations > Apps. */
export function appsListPage(actor: Actor, csrf: string, apps: ClientView[]): string {
  return adminLayout('Apps', actor, csrf, html`
<h1>Apps</h1>
<p><a class="button" href="/admin/apps/new" id="create-app">Create App</a></p>
<table id="apps">
  <thead><tr><th>Name</th><th>Type</th><th>Linked application</th><th>Status</th><th>Created</th></tr></thead>
  <tbody>
  ${apps.map((a) => html`<tr><td><a href="/admin/apps/${a.clientId}">${a.name}</a></td><td>${TYPES[a.type]}</td><td>${a.application}</td><td class="status-${a.status}">${a.status === 'active' ? 'Active' : 'Deactivated'}</td><td>${date(a.createdAt)}</td></tr>`)}
  </tbody>
</table>
${apps.length ? '' : html`<p class="muted">No apps yet.</p>`}`);
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

/** Create App (no `app`) or the edit form of the detail page. */
export function appForm(values: AppFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>, csrf: string, app?: ClientView) {
  const allRoles = Object.entries(applications).flatMap(([name, a]) => Object.keys(a.roles).map((r) => ({ app: name, role: r })));
  return html`
<form method="post" action="${app ? `/admin/apps/${app.clientId}` : '/admin/apps'}" novalidate>
  <input type="hidden" name="csrf_token" value="${csrf}">
  ${fieldError(errors, 'form')}
  <label for="name">Name <span class="muted">(required, shown on the consent screen, max 255)</span></label>
  <input id="name" name="name" maxlength="255" value="${values.name}" aria-describedby="error-name">
  ${fieldError(errors, 'name')}
  <label for="description">Description <span class="muted">(internal, max 500)</span></label>
  <textarea id="description" name="description" maxlength="500">${values.description}</textarea>
  ${fieldError(errors, 'description')}
  ${app ? html`<p>Type: <strong>${TYPES[app.type]}</strong> · Linked application: <strong>${app.application}</strong></p>` : html`
  <label for="type">Type</label>
  <select id="type" name="type">${Object.entries(TYPES).map(([v, label]) => html`<option value="${v}" ${v === values.type ? html`selected` : ''}>${label}</option>`)}</select>
  ${fieldError(errors, 'type')}
  <label for="application">Linked application</label>
  <select id="application" name="application">${Object.keys(applications).map((n) => html`<option value="${n}" ${n === values.application ? html`selected` : ''}>${n}</option>`)}</select>
  ${fieldError(errors, 'application')}`}
  <label for="redirectUris">Redirect URIs <span class="muted">(one per line; exact match, any port on http://127.0.0.1 and [::1]; no wildcards; required for web and public apps)</span></label>
  <textarea id="redirectUris" name="redirectUris">${values.redirectUris}</textarea>
  ${fieldError(errors, 'redirectUris')}
  <label for="allowedOrigins">Allowed CORS origins <span class="muted">(one per line, e.g. https://app.example.com)</span></label>
  <textarea id="allowedOrigins" name="allowedOrigins">${values.allowedOrigins}</textarea>
  ${fieldError(errors, 'allowedOrigins')}
  ${!app || app.type === 'service' ? html`<fieldset class="checks"><legend>Roles <span class="muted">(service clients: what its tokens may do)</span></legend>
  ${allRoles.filter((r) => !app || r.app === app.application).map((r) => html`<label><input type="checkbox" name="roles" value="${r.role}" ${values.roles.includes(r.role) ? html`checked` : ''}> ${r.app}: ${r.role}</label>`)}
  </fieldset>
  ${fieldError(errors, 'roles')}` : ''}
  <div class="actions"><button type="submit" id="save">${app ? 'Save changes' : 'Create App'}</button> <a class="button secondary" href="${app ? `/admin/apps/${app.clientId}` : '/admin/apps'}">Cancel</a></div>
</form>`;
}

export function createAppPage(actor: Actor, csrf: string, values: AppFormValues, errors: Record<string, string>, applications: Record<string, ApplicationSettings>): string {
  return adminLayout('Create App', actor, csrf, html`<h1>Create App</h1>${hasFieldErrors(errors) ? html`<p class="error" role="alert">Please correct the fields marked below.</p>` : ''}${appForm(values, errors, applications, csrf)}`);
}

/** The one-time secret dialog: copy buttons, and a clear "not shown again". */
function secretDialog(app: ClientView, secret: string) {
  return html`
<dialog open id="secret-dialog" aria-labelledby="secret-title">
  <h2 id="secret-title">Copy the credentials now</h2>
  <p class="notice"><strong>The client secret will not be shown again.</strong> Store it securely before you close this dialog.</p>
  <p>Client ID<br><code id="client-id">${app.clientId}</code> <button type="button" class="secondary small" data-copy="client-id">Copy</button></p>
  <p>Client secret<br><code id="client-secret">${secret}</code> <button type="button" class="secondary small" data-copy="client-secret">Copy</button></p>
  <div class="actions"><a class="button" href="/admin/apps/${app.clientId}" id="dismiss-secret">I have stored it</a></div>
</dialog>`;
}

/** The app detail page: edit, regenerate secret, deactivate / reactivate, and its audit trail. */
export function appDetailPage(actor: Actor, csrf: string, app: ClientView, form: { values: AppFormValues; errors: Record<string, string> }, applications: Record<string, ApplicationSettings>, audit: AuditEntry[], secret?: string): string {
  const active = app.status === 'active';
  return adminLayout(app.name, actor, csrf, html`
${secret ? secretDialog(app, secret) : ''}
<h1 id="app-title">${app.name}</h1>
<p>Client ID: <code id="detail-client-id">${app.clientId}</code> · Status: <span id="app-status" class="status-${app.status}">${active ? 'Active' : 'Deactivated'}</span>${app.secretIssuedAt ? html` · Secret issued ${date(app.secretIssuedAt)}` : ''}</p>
${hasFieldErrors(form.errors) ? html`<p class="error" role="alert">Please correct the fields marked below.</p>` : ''}
<h2>Edit</h2>
${appForm(form.values, form.errors, applications, csrf, app)}
<h2>Manage</h2>
<div class="actions">
  ${app.type !== 'public' ? html`<a class="button secondary" href="/admin/apps/${app.clientId}/secret" id="regenerate">Regenerate secret</a>` : ''}
  ${app.type !== 'public' ? html`<a class="button secondary" href="/admin/apps/${app.clientId}/api-key" id="api-key-link">API key</a>` : ''}
  <form method="post" action="/admin/apps/${app.clientId}/${active ? 'deactivate' : 'reactivate'}" data-confirm="${active ? 'Deactivate this app? Its tokens stop working.' : 'Reactivate this app?'}">
    <input type="hidden" name="csrf_token" value="${csrf}">
    <button type="submit" class="${active ? 'danger' : ''}" id="${active ? 'deactivate' : 'reactivate'}">${active ? 'Deactivate' : 'Reactivate'}</button>
  </form>
</div>
<h2>History</h2>
${auditTable(audit)}`);
}

/** Regenerating is destructive (the old secret stops at once): confirm first. */
export function confirmRegeneratePage(actor: Actor, csrf: string, app: ClientView): string {
  return adminLayout('Regenerate secret', actor, csrf, html`
<h1>Regenerate the secret of ${app.name}?</h1>
<p class="notice">The current secret stops working <strong>immediately</strong>, on every gateway node. Anything still using it will fail until it is given the new secret, which is shown once.</p>
<form method="post" action="/admin/apps/${app.clientId}/secret" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="danger" id="confirm-regenerate">Regenerate secret</button>
  <a class="button secondary" href="/admin/apps/${app.clientId}">Cancel</a>
</form>`);
}
