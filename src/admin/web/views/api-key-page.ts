import type { ApiKeyView } from '../../../clients/api-keys';
import type { ClientView } from '../../../clients/client';
import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import { adminLayout } from './admin-layout';

const date = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The one-time API key dialog, like the secret's: copy, and a clear "not shown again". */
function keyDialog(app: ClientView, apiKey: string) {
  return html`
<dialog open id="api-key-dialog" aria-labelledby="api-key-title">
  <h2 id="api-key-title">Copy the API key now</h2>
  <p class="notice"><strong>The API key will not be shown again.</strong> Store it securely before you close this dialog.</p>
  <p>Client ID<br><code id="client-id">${app.clientId}</code> <button type="button" class="secondary small" data-copy="client-id">Copy</button></p>
  <p>API key<br><code id="api-key">${apiKey}</code> <button type="button" class="secondary small" data-copy="api-key">Copy</button></p>
  <div class="actions"><a class="button" href="/admin/apps/${app.clientId}/api-key" id="dismiss-api-key">I have stored it</a></div>
</dialog>`;
}

/**
 * Admin > Apps > an app > API key: whether it has one (never the key, except once right after it
 * was issued), issue or rotate it, revoke it.
 */
export function apiKeyPage(actor: Actor, csrf: string, app: ClientView, key: ApiKeyView | undefined, shown?: string): string {
  const canHave = app.type !== 'public';
  return adminLayout(`API key of ${app.name}`, actor, csrf, html`
${shown ? keyDialog(app, shown) : ''}
<h1>API key of <a href="/admin/apps/${app.clientId}">${app.name}</a></h1>
<p>Where an API's guard requires it (<code>apiKey: required</code>), every request sends this key in the <code>X-API-Key</code> header beside the app's access token. A key alone never authorizes.</p>
<p id="api-key-status">${!canHave ? 'A public app cannot keep an API key secret: it has none.' : key ? html`API key issued ${date(key.issuedAt)}` : 'No API key.'}</p>
${canHave ? html`<div class="actions">
  ${key ? html`<a class="button secondary" href="/admin/apps/${app.clientId}/api-key/rotate" id="rotate-api-key">Rotate API key</a>
  <a class="button danger" href="/admin/apps/${app.clientId}/api-key/revoke" id="revoke-api-key">Revoke API key</a>` : html`<form method="post" action="/admin/apps/${app.clientId}/api-key">
    <input type="hidden" name="csrf_token" value="${csrf}">
    <button type="submit" id="issue-api-key">Issue API key</button>
  </form>`}
</div>` : ''}
<p><a href="/admin/apps/${app.clientId}">Back to the app</a></p>`);
}

/** What rotating and revoking say before they act: both stop the current key at once. */
const CONFIRM = {
  rotate: { title: 'Rotate the API key', ask: 'Rotate the API key of', notice: html`The current key stops working <strong>at once</strong>, on every gateway node. The new key is shown once.`, action: '', button: 'Rotate API key', cls: 'danger' },
  revoke: { title: 'Revoke the API key', ask: 'Revoke the API key of', notice: html`Requests that need it are refused <strong>from now on</strong>, until a new key is issued.`, action: '/revoke', button: 'Revoke API key', cls: 'danger' },
};

/** Rotating or revoking is asked on a page of its own, with Cancel (no browser `confirm()`). */
export function confirmApiKeyPage(actor: Actor, csrf: string, app: ClientView, what: 'rotate' | 'revoke'): string {
  const c = CONFIRM[what];
  return adminLayout(c.title, actor, csrf, html`
<h1>${c.ask} ${app.name}?</h1>
<p class="notice" id="confirm-notice">${c.notice}</p>
<form method="post" action="/admin/apps/${app.clientId}/api-key${c.action}" class="actions">
  <input type="hidden" name="csrf_token" value="${csrf}">
  <button type="submit" class="${c.cls}" id="confirm-${what}-api-key">${c.button}</button>
  <a class="button secondary" href="/admin/apps/${app.clientId}/api-key" id="cancel">Cancel</a>
</form>`);
}
