import { html } from '../../../pages/html';
import type { AuditEntry } from '../../audit-log';
import { entryInWords } from '../../audit-words';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Audit entries as a table (a list on a phone), newest first, each action in words; its code in the tooltip. */
export function auditTable(entries: AuditEntry[]) {
  if (!entries.length) return html`<p class="muted" id="no-entries">No entries.</p>`;
  return html`
<table class="audit list">
  <thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>From</th></tr></thead>
  <tbody>${entries.map((e) => html`<tr><td data-label="When">${when(e.at)}</td><td data-label="Who">${e.actor.name}</td><td data-label="What" title="${e.action}" data-action="${e.action}">${entryInWords(e)}</td><td data-label="From">${e.from}</td></tr>`)}</tbody>
</table>`;
}
