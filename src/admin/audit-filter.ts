import type { AuditEntry } from './audit-log';

/** The audit log's filters as the page and the export take them from the query; "" is no filter. */
export interface AuditFilter {
  action: string;
  /** Part of the actor's name or id. */
  actor: string;
  /** Part of the target's name or id, or its type (`app`, `user`, `key`). */
  target: string;
  /** `YYYY-MM-DD` (UTC), first and last day included. */
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 200) : '');
const day = (value: unknown) => (typeof value === 'string' && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? value : '');

/** Reads the filters from a query; a value that is not one is ignored (no filter), never an error. */
export function auditFilterFrom(query: Record<string, unknown>): AuditFilter {
  return { action: text(query.action), actor: text(query.actor), target: text(query.target), from: day(query.from), to: day(query.to) };
}

/** The filters that are set, for links that keep them (the pager, the exports). */
export function filterParams(filter: AuditFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== ''));
}

const contains = (haystack: Array<string | undefined>, needle: string) => haystack.some((h) => h?.toLowerCase().includes(needle.toLowerCase()));

/** The entries that pass every filter that is set (the order is kept: newest first). */
export function filterAudit(entries: AuditEntry[], f: AuditFilter): AuditEntry[] {
  const from = f.from ? Date.parse(`${f.from}T00:00:00Z`) : -Infinity;
  const to = f.to ? Date.parse(`${f.to}T00:00:00Z`) + 86_400_000 : Infinity;
  return entries.filter((e) =>
    (!f.action || e.action === f.action)
    && (!f.actor || contains([e.actor.name, e.actor.id], f.actor))
    && (!f.target || contains([e.target.name, e.target.id], f.target) || e.target.type === f.target.toLowerCase())
    && e.at >= from && e.at < to);
}
