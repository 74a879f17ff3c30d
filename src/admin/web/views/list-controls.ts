import { html, type Html } from '../../../pages/html';
import type { ListPage } from '../list-query';

/** The search box of a list (a GET form: the search is in the address, so it can be shared and reloaded). */
export function searchForm(action: string, q: string, label: string): Html {
  return html`<form method="get" action="${action}" class="toolbar" role="search">
  <div class="grow"><label for="q">${label}</label><input id="q" name="q" type="search" value="${q}"></div>
  <button type="submit" class="secondary" id="search">Search</button>
  ${q ? html`<a class="button secondary" href="${action}" id="clear-search">Clear</a>` : ''}
</form>`;
}

/** "Page 2 of 5 · 93 apps", with Previous and Next links that keep the search (and the filters). */
export function pager(action: string, list: ListPage<unknown>, noun: string, params: Record<string, string> = {}): Html {
  const href = (page: number) => `${action}?${new URLSearchParams({ ...params, ...(list.q ? { q: list.q } : {}), page: String(page) })}`;
  return html`<nav class="pager" aria-label="Pages">
  ${list.page > 1 ? html`<a class="button secondary small" rel="prev" id="prev-page" href="${href(list.page - 1)}">Previous</a>` : ''}
  <span id="page-info">Page ${list.page} of ${list.pages} · ${list.total} ${noun}${list.q ? html` matching “${list.q}”` : ''}</span>
  ${list.page < list.pages ? html`<a class="button secondary small" rel="next" id="next-page" href="${href(list.page + 1)}">Next</a>` : ''}
</nav>`;
}
