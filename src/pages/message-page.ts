import { html, Html } from './html';
import { layout, SLOTS } from './layout';

/** A page that only says something: signed in, signed out. */
export function messagePage(title: string, message: string, detail?: string): string {
  return layout(title, html`
<h1>${title}</h1>
<p id="message">${message}</p>
${detail ? html`<p class="muted"><code id="error-code">${detail}</code></p>` : ''}`);
}

/** Where a person can go from an error page. */
export interface WayBack {
  href: string;
  label: string;
}

export const SIGN_IN_PAGE: WayBack = { href: '/login', label: 'Go to the sign-in page' };

/**
 * A page that says something went wrong, for people: what happened, what to do, the request id
 * to quote when asking for help (the log lines carry it), the code for the technical reader, and
 * a way back. `extra` is another action beside the way back (a sign-out form).
 */
export interface Problem {
  title: string;
  message: string;
  hint?: string;
  code?: string;
  back?: WayBack;
  extra?: Html;
}

export function problemPage(m: Problem): string {
  return layout(m.title, problemBody(m));
}

/** The content of a problem page, for a frame of its own (the admin area's, with its navigation). */
export function problemBody(m: Problem): Html {
  const back = m.back ?? SIGN_IN_PAGE;
  return html`
<h1>${m.title}</h1>
<p id="message">${m.message}</p>
${m.hint ? html`<p id="hint">${m.hint}</p>` : ''}
<div class="actions">${m.extra ?? ''}<a class="button secondary" id="way-back" href="${back.href}">${back.label}</a></div>
<p class="muted" id="request-ref">If you ask for help, quote this reference:<br><code id="request-id">${new Html(SLOTS.requestId)}</code>${m.code ? html` <code id="error-code">${m.code}</code>` : ''}</p>`;
}

/** Nothing is served at this path (an unknown page of the issuer or the admin area). */
export function notFoundPage(back: WayBack = SIGN_IN_PAGE): string {
  return problemPage(notFound(back));
}

export function notFound(back: WayBack = SIGN_IN_PAGE): Problem {
  return { title: 'Page not found', message: 'There is no page at this address.', hint: 'Check the address for a typing mistake, or start again from a page you know.', code: 'not_found', back };
}
