import { html } from '../../../pages/html';
import type { Actor } from '../../admin-authorization';
import type { AuditEntry } from '../../audit-log';
import { filterParams, type AuditFilter } from '../../audit-filter';
import { actionInWords } from '../../audit-words';
import type { ListPage } from '../list-query';
import { adminLayout } from './admin-layout';
import { auditTable } from './audit-table';
import { pager } from './list-controls';

export { auditTable } from './audit-table';

/** The audit log: filters (action, actor, target, days), the exports of what is filtered, one page of entries. */
export function auditPage(actor: Actor, csrf: string, list: ListPage<AuditEntry>, filter: AuditFilter, actions: string[]): string {
  const params = filterParams(filter);
  const exportHref = (format: string) => `/admin/audit/export.${format}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;
  return adminLayout('Audit log', actor, csrf, html`
<h1>Audit log</h1>
<form method="get" action="/admin/audit" class="toolbar" id="audit-filters" role="search">
  <div class="field"><label for="action">Action</label><select id="action" name="action"><option value="">Any</option>${actions.map((a) => html`<option value="${a}" ${a === filter.action ? html`selected` : ''}>${actionInWords(a)}</option>`)}</select></div>
  <div class="field"><label for="actor">Who</label><input id="actor" name="actor" value="${filter.actor}" placeholder="name or id"></div>
  <div class="field"><label for="target">Target</label><input id="target" name="target" value="${filter.target}" placeholder="app, user or key"></div>
  <div class="field"><label for="from">From (UTC)</label><input id="from" name="from" type="date" value="${filter.from}"></div>
  <div class="field"><label for="to">To (UTC)</label><input id="to" name="to" type="date" value="${filter.to}"></div>
  <button type="submit" class="secondary" id="apply-filters">Filter</button>
  ${Object.keys(params).length ? html`<a class="button secondary" href="/admin/audit" id="clear-filters">Clear</a>` : ''}
</form>
<p class="actions">Export ${Object.keys(params).length ? 'these entries' : 'every entry'}: <a class="button secondary small" id="export-csv" href="${exportHref('csv')}" download>CSV</a> <a class="button secondary small" id="export-jsonl" href="${exportHref('jsonl')}" download>JSON lines</a></p>
${auditTable(list.items)}
${list.total ? pager('/admin/audit', list, 'entries', params) : ''}`);
}
