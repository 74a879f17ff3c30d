import type { Request } from 'express';

/** One page of a list, and what the search and the pager need to draw themselves. */
export interface ListPage<T> {
  items: T[];
  /** The search as typed (trimmed); "" for none. */
  q: string;
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** How many matched the search (all pages). */
  total: number;
}

export const PAGE_SIZE = 20;

/** `?q=` and `?page=` of a list page's request (anything unreadable is the first page, no search). */
export function listParams(req: Request): { q: string; page: number } {
  const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
  const page = typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Math.max(1, Number(req.query.page)) : 1;
  return { q, page };
}

/**
 * The items whose searchable text holds every word of the search (case-insensitive), one page of
 * them. In memory: the registries list everything anyway, and an admin's lists are small.
 */
export function pageOf<T>(items: T[], params: { q: string; page: number }, text: (item: T) => string[], size = PAGE_SIZE): ListPage<T> {
  const words = params.q.toLowerCase().split(/\s+/).filter(Boolean);
  const matched = words.length ? items.filter((item) => {
    const haystack = text(item).join(' ').toLowerCase();
    return words.every((w) => haystack.includes(w));
  }) : items;
  const pages = Math.max(1, Math.ceil(matched.length / size));
  const page = Math.min(params.page, pages);
  return { items: matched.slice((page - 1) * size, page * size), q: params.q, page, pages, total: matched.length };
}
