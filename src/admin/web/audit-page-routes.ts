import type { Router } from 'express';
import { auditCsv, auditJsonLines } from '../audit-export';
import { auditFilterFrom, filterAudit } from '../audit-filter';
import { KNOWN_ACTIONS } from '../audit-words';
import { sendPage } from '../../pages/security-headers';
import { listParams, pageOf } from './list-query';
import type { AdminPagesDeps, AdminPageWrap } from './page-context';
import { auditPage } from './views/audit-page';

const PAGE_SIZE = 50;

/** The audit log: filters, paging, and the filtered entries as CSV or JSON Lines. */
export function auditPageRoutes(router: Router, p: AdminPagesDeps, wrap: AdminPageWrap): void {
  const filtered = async (query: Record<string, unknown>) => {
    const filter = auditFilterFrom(query);
    const all = await p.admin.auditLog(Number.MAX_SAFE_INTEGER);
    // The filter offers the known actions and any other one the log holds (roles, API keys...).
    const actions = [...new Set([...KNOWN_ACTIONS, ...all.map((e) => e.action)])];
    return { filter, actions, entries: filterAudit(all, filter) };
  };
  router.get('/audit', wrap(async (ctx, req, res) => {
    const { filter, actions, entries } = await filtered(req.query);
    sendPage(res, 200, auditPage(ctx.actor, ctx.csrf, pageOf(entries, { q: '', page: listParams(req).page }, () => [], PAGE_SIZE), filter, actions), [], true);
  }));
  for (const [format, type, render] of [['csv', 'text/csv; charset=utf-8', auditCsv], ['jsonl', 'application/jsonl; charset=utf-8', auditJsonLines]] as const) {
    router.get(`/audit/export.${format}`, wrap(async (_ctx, req, res) => {
      const { entries } = await filtered(req.query);
      const day = new Date().toISOString().slice(0, 10);
      res.status(200).set({
        'Content-Type': type,
        'Content-Disposition': `attachment; filename="portcullis-audit-${day}.${format}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      }).send(render(entries));
    }));
  }
}
