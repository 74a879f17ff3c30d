import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import { adminLayout } from './admin-layout';

/** Audit entries as a table, newest first. */
export function auditTable(entries: AuditEntry[]) {
  if (!entries.length) return html`<p class="muted">No entries.</p>`;
  return html`
<table class="audit">
  <thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Target</th><th>From</th></tr></thead>
  <tbody>${entries.map((e) => html`<tr><td>${new Date(e.at).toISOString().replace('T', ' ').slice(0, 19)}</td><td>${e.actor.name}</td><td>${e.action}${e.changed?.length ? html` <span class="muted">(${e.changed.join(', ')})</span>` : ''}</td><td>${e.target.type} ${e.target.name ?? e.target.id}</td><td>${e.from}</td></tr>`)}</tbody>
</table>`;
}

export function auditPage(actor: Actor, csrf: string, entries: AuditEntry[]): string {
  return adminLayout('Audit log', actor, csrf, html`<h1>Audit log</h1>${auditTable(entries)}`);
}
