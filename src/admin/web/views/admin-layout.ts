import { html, type Html } from '../../../pages/html';
import { layout } from '../../../pages/layout';
import type { Actor } from '../../admin-authorization';

/** The admin frame: navigation (Integrations > Apps, Users, Audit log), who is signed in, sign-out. */
export function adminLayout(title: string, actor: Actor, csrf: string, body: Html): string {
  const page = layout(title, html`
<nav class="admin-nav" aria-label="Admin">
  <strong>Admin</strong> ›
  <a href="/admin/apps">Integrations › Apps</a> ·
  <a href="/admin/users">Users</a> ·
  <a href="/admin/roles">Roles</a> ·
  <a href="/admin/audit">Audit log</a>
  <form method="post" action="/logout" class="inline">
    <input type="hidden" name="csrf_token" value="${csrf}">
    <span class="muted">${actor.name} (${actor.adminRole})</span>
    <button type="submit" class="secondary small">Sign out</button>
  </form>
</nav>
${body}
<script src="/assets/admin.js"></script>`);
  return page.replace('<main>', '<main class="wide">');
}

/** A field's error message, shown next to it. */
export function fieldError(errors: Record<string, string>, field: string): Html {
  return errors[field] ? html`<p class="error" id="error-${field}" role="alert">${errors[field]}</p>` : html``;
}

/** Copy buttons for the secret dialog; the only script on any page. */
export const ADMIN_SCRIPT = `
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  button.addEventListener('click', function () {
    var target = document.getElementById(button.getAttribute('data-copy'));
    if (!target || !navigator.clipboard) return;
    navigator.clipboard.writeText(target.textContent).then(function () { button.textContent = 'Copied'; });
  });
});
// The secret dialog is rendered open (readable without scripts); with scripts it becomes modal
// and takes focus, so nothing behind it can be clicked before the secret is stored.
var secretDialog = document.getElementById('secret-dialog');
if (secretDialog && secretDialog.showModal) {
  secretDialog.close();
  secretDialog.showModal();
  var firstCopy = secretDialog.querySelector('button[data-copy]');
  if (firstCopy) firstCopy.focus();
}
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
  });
});
`;

export const ADMIN_STYLES = `
nav.admin-nav{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:1.25rem;padding-bottom:.75rem;border-bottom:1px solid #e3e6ea}
nav.admin-nav form.inline{margin-left:auto;display:flex;gap:.5rem;align-items:center}
button.small{padding:.25rem .6rem}
dialog{border:2px solid #24408e;border-radius:8px;max-width:36rem;width:100%}
dialog::backdrop{background:rgba(20,25,40,.55)}
.checks label{font-weight:normal;display:flex;gap:.5rem;align-items:center}
.checks input{width:auto}
.status-disabled{color:#a4262c;font-weight:600}
.status-active{color:#1e7b34;font-weight:600}
td{overflow-wrap:anywhere}
@media (max-width:40rem){th:nth-child(n+4),td:nth-child(n+4){display:none}}
`;
