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
  <form method="post" action="/admin/apps/${app.clientId}/api-key" ${key ? html`data-confirm="Rotate the API key? The current key stops working at once."` : ''}>
    <input type="hidden" name="csrf_token" value="${csrf}">
    <button type="submit" id="${key ? 'rotate-api-key' : 'issue-api-key'}" class="${key ? 'secondary' : ''}">${key ? 'Rotate API key' : 'Issue API key'}</button>
  </form>
  ${key ? html`<form method="post" action="/admin/apps/${app.clientId}/api-key/revoke" data-confirm="Revoke the API key? Requests that need it are refused from now on.">
    <input type="hidden" name="csrf_token" value="${csrf}">
    <button type="submit" class="danger" id="revoke-api-key">Revoke API key</button>
  </form>` : ''}
</div>` : ''}
<p><a href="/admin/apps/${app.clientId}">Back to the app</a></p>`);
}
