import { html, type Html } from '../../../pages/html';
import { layout } from '../../../pages/layout';
import type { Actor } from '../../admin-authorization';

/** The admin frame: navigation (Integrations > Apps, Users, Audit log), who is signed in, sign-out. */
export function adminLayout(title: string, actor: Actor, csrf: string, body: Html): string {
  const page = layout(title, html`
<nav class="admin-nav" aria-label="Admin">
  <span class="nav-links"><strong>Admin</strong>
  <a href="/admin/apps">Apps</a>
  <a href="/admin/users">Users</a>
  <a href="/admin/roles">Roles</a>
  <a href="/admin/audit">Audit log</a></span>
  <form method="post" action="/logout" class="inline">
    <input type="hidden" name="csrf_token" value="${csrf}">
    <span class="muted who">${actor.name} (${actor.adminRole})</span>
    <button type="submit" class="secondary small">Sign out</button>
  </form>
</nav>
${body}
<script src="/assets/admin.js"></script>`);
  return page.replace('<main>', '<main class="wide">');
}

/** A field's errors (one per line), shown next to it; the field itself says `invalid(errors, field)`. */
export function fieldError(errors: Record<string, string>, field: string): Html {
  return errors[field] ? html`<p class="error" id="error-${field}">${errors[field]}</p>` : html``;
}

/** The attributes of a field at fault: outlined (the stylesheet) and tied to its message for screen readers. */
export function invalid(errors: Record<string, string>, field: string): Html {
  return errors[field] ? html`aria-invalid="true" aria-describedby="error-${field}"` : html``;
}

/** Labels of the fields in the order of the form, for the summary at the top of a form with errors. */
export type FieldLabels = Record<string, string>;

/**
 * The top of a form with errors: how many fields to correct, each a link to its field, and any
 * problem of the form as a whole (`form`). Announced once (role=alert), not once per field.
 */
export function errorSummary(errors: Record<string, string>, labels: FieldLabels): Html {
  // In the order of the form (the labels'), not of the checks.
  const order = Object.keys(labels);
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  const fields = Object.keys(errors).filter((k) => k !== 'form').sort((a, b) => rank(a) - rank(b));
  if (!fields.length && !errors.form) return html``;
  return html`<div class="error-summary" role="alert" id="form-errors">
  ${errors.form ? html`<p class="error" id="error-form">${errors.form}</p>` : ''}
  ${fields.length ? html`<p class="error">Please correct ${fields.length === 1 ? 'the field' : `these ${fields.length} fields`} marked below:</p>
  <ul>${fields.map((f) => html`<li><a href="#${f}">${labels[f] ?? f}</a></li>`)}</ul>` : ''}
</div>`;
}

/** What an action did, shown on the page it ends on (`?done=` names it; only known texts are shown). */
export function doneNotice(texts: Record<string, string>, done: string | undefined): Html {
  return done && Object.hasOwn(texts, done) ? html`<p class="done" role="status" id="done">${texts[done]}</p>` : html``;
}

/** Copy buttons (the secret dialog, the endpoints of an app); the only script on any page. */
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
`;

/**
 * The admin area's styles. Below 40rem (a phone) every table becomes a list of cards, each value
 * under its column's name (\`data-label\`): no column disappears, and no word is cut in two.
 */
export const ADMIN_STYLES = `
nav.admin-nav{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin-bottom:1.25rem;padding-bottom:.75rem;border-bottom:1px solid #e3e6ea}
nav.admin-nav .nav-links{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav.admin-nav form.inline{margin-left:auto;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
button.small,.button.small{padding:.25rem .6rem}
dialog{border:2px solid var(--primary);border-radius:8px;max-width:36rem;width:calc(100% - 2rem)}
dialog::backdrop{background:rgba(20,25,40,.55)}
fieldset{border:1px solid #c9ced8;border-radius:4px;margin:.75rem 0 0;min-width:0}
fieldset.read-only{border:0;padding:0;margin:0}
.checks label{font-weight:normal;display:flex;gap:.5rem;align-items:center}
.checks input{width:auto}
.status-disabled{color:#a4262c;font-weight:600}
.status-active{color:#1e7b34;font-weight:600}
td{overflow-wrap:break-word}
.error-summary{border:2px solid var(--danger);border-radius:4px;padding:.5rem 1rem;margin-bottom:1rem}
.error-summary ul{margin:.25rem 0}
.toolbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 1rem}
.toolbar label{margin:0 0 .2rem}
.toolbar .grow{flex:1 1 12rem}
.toolbar .field{flex:1 1 9rem}
.toolbar input,.toolbar select{min-width:0}
.pager{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;min-width:0}
.copy-row{display:flex;gap:.5rem;align-items:flex-start}
.copy-row code{flex:1 1 auto;min-width:0}
code.copy-value{word-break:normal;overflow-wrap:anywhere}
@media (max-width:40rem){
  nav.admin-nav form.inline{margin-left:0}
  dl.facts{grid-template-columns:1fr}
  dl.facts dd{margin-bottom:.4rem}
  table.list thead{display:none}
  table.list,table.list tbody,table.list tr,table.list td{display:block;width:100%}
  table.list tr{border:1px solid #e3e6ea;border-radius:6px;margin-bottom:.6rem;padding:.4rem .6rem}
  table.list td{border:0;padding:.15rem 0}
  table.list td:empty{display:none}
  table.list td::before{content:attr(data-label) ": ";font-weight:600;color:#5b6475}
}
`;
