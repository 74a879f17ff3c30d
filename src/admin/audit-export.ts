import { actionInWords } from './audit-words';
import type { AuditEntry } from './audit-log';

const COLUMNS = ['at', 'actor_type', 'actor_id', 'actor_name', 'action', 'action_in_words', 'target_type', 'target_id', 'target_name', 'from', 'changed'] as const;

function row(e: AuditEntry): Record<(typeof COLUMNS)[number], string> {
  return {
    at: new Date(e.at).toISOString(),
    actor_type: e.actor.type, actor_id: e.actor.id, actor_name: e.actor.name,
    action: e.action, action_in_words: actionInWords(e.action),
    target_type: e.target.type, target_id: e.target.id, target_name: e.target.name ?? '',
    from: e.from, changed: (e.changed ?? []).join(' '),
  };
}

/**
 * RFC 4180 field: quoted when it holds a comma, a quote or a line break. A value that a
 * spreadsheet would run as a formula (`= + - @`, tab, CR first: OWASP "CSV injection") is
 * prefixed with `'`, because names come from admins and apps and the file is opened by people.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The entries as CSV (a header line, CRLF line ends as RFC 4180 §2 says). */
export function auditCsv(entries: AuditEntry[]): string {
  const lines = [COLUMNS.join(','), ...entries.map((e) => { const r = row(e); return COLUMNS.map((c) => csvField(r[c])).join(','); })];
  return lines.join('\r\n') + '\r\n';
}

/** The entries as JSON Lines: one entry per line, as stored (the same shape as the admin API). */
export function auditJsonLines(entries: AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}
