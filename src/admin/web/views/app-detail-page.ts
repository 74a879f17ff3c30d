import type { ClientView } from '../../../clients/client';
import type { ApplicationSettings } from '../../../config/settings';
import { ENDPOINT_PATHS } from '../../../issuer/discovery';
import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import { adminLayout, doneNotice } from './admin-layout';
import { appForm, date, statusWord, TYPES, type AppFormValues } from './app-pages';
import { auditTable } from './audit-table';

/** What each action on an app says on the page it ends on (`?done=`). */
export const APP_DONE = {
  created: 'App created.',
  saved: 'Changes saved.',
  regenerated: 'A new secret was issued; the old one no longer works.',
  deactivated: 'App deactivated: its tokens are refused and nobody can sign in to it.',
  reactivated: 'App reactivated: it can get tokens again, and its users will be asked for consent again.',
};

/** The one-time secret dialog: copy buttons, and a clear "not shown again". */
function secretDialog(app: ClientView, secret: string) {
  return html`
<dialog open id="secret-dialog" aria-labelledby="secret-title">
  <h2 id="secret-title">Copy the credentials now</h2>
  <p class="notice"><strong>The client secret will not be shown again.</strong> Store it securely before you close this dialog.</p>
  <p>Client ID</p><div class="copy-row"><code id="client-id">${app.clientId}</code> <button type="button" class="secondary small" data-copy="client-id">Copy</button></div>
  <p>Client secret</p><div class="copy-row"><code id="client-secret">${secret}</code> <button type="button" class="secondary small" data-copy="client-secret">Copy</button></div>
  <div class="actions"><a class="button" href="/admin/apps/${app.clientId}" id="dismiss-secret">I have stored it</a></div>
</dialog>`;
}

/**
 * A URL that may wrap after a `/` on a phone rather than anywhere (`<wbr>` adds no text, so the
 * copy button still copies the URL as it is).
 */
const breakable = (value: string) => value.split('/').map((part) => html`${part}`).reduce((a, b) => html`${a}/<wbr>${b}`);

/** A value to copy into the app's configuration. */
const copyable = (id: string, label: string, value: string) => html`<dt>${label}</dt><dd><div class="copy-row"><code id="${id}" class="copy-value">${breakable(value)}</code> <button type="button" class="secondary small" data-copy="${id}">Copy</button></div></dd>`;

/** The app detail page: what to configure the app with, edit, regenerate, deactivate / reactivate, its audit trail. */
export function appDetailPage(actor: Actor, csrf: string, app: ClientView, form: { values: AppFormValues; errors: Record<string, string> }, applications: Record<string, ApplicationSettings>, audit: AuditEntry[], extra: { issuer: string; secret?: string; done?: string }): string {
  const active = app.status === 'active';
  const { issuer } = extra;
  return adminLayout(app.name, actor, csrf, html`
${extra.secret ? secretDialog(app, extra.secret) : ''}
<p><a href="/admin/apps" id="back">← All apps</a></p>
${doneNotice(APP_DONE, extra.done)}
<h1 id="app-title">${app.name}</h1>
${active ? '' : html`<div class="banner" role="note" id="deactivated-banner"><strong>This app is deactivated.</strong> Its tokens are refused and nobody can sign in to it. Its settings are read-only until you reactivate it.
  <form method="post" action="/admin/apps/${app.clientId}/reactivate" class="actions"><input type="hidden" name="csrf_token" value="${csrf}"><button type="submit" id="reactivate">Reactivate</button></form></div>`}
<dl class="facts">
  <dt>Status</dt><dd><span id="app-status" class="status-${app.status}">${statusWord(app)}</span></dd>
  <dt>Type</dt><dd>${TYPES[app.type]}</dd>
  <dt>Created</dt><dd>${date(app.createdAt)} UTC${app.secretIssuedAt ? html` · secret issued ${date(app.secretIssuedAt)} UTC` : ''}</dd>
</dl>
<h2>Configure the app with</h2>
<dl class="facts" id="endpoints">
  ${copyable('detail-client-id', 'Client ID', app.clientId)}
  ${copyable('issuer-url', 'Issuer', issuer)}
  ${copyable('discovery-url', 'Discovery URL', issuer + ENDPOINT_PATHS.openidConfiguration)}
  ${copyable('token-endpoint', 'Token endpoint', issuer + ENDPOINT_PATHS.token)}
  ${app.type !== 'service' ? copyable('authorization-endpoint', 'Authorization endpoint', issuer + ENDPOINT_PATHS.authorization) : ''}
</dl>
<h2>${active ? 'Edit' : 'Settings'}</h2>
${appForm(form.values, form.errors, applications, csrf, app)}
${active ? html`<h2>Manage</h2>
<div class="actions">
  ${app.type !== 'public' ? html`<a class="button secondary" href="/admin/apps/${app.clientId}/secret" id="regenerate">Regenerate secret</a>` : ''}
  ${app.type !== 'public' ? html`<a class="button secondary" href="/admin/apps/${app.clientId}/api-key" id="api-key-link">API key</a>` : ''}
  <a class="button danger" href="/admin/apps/${app.clientId}/deactivate" id="deactivate">Deactivate</a>
</div>` : ''}
<h2>History</h2>
${auditTable(audit)}`);
}
