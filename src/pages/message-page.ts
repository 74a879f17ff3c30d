import { html } from './html';
import { layout } from './layout';

/** A page that only says something: an authorization error that must not redirect, sign-out, 403. */
export function messagePage(title: string, message: string, detail?: string): string {
  return layout(title, html`
<h1>${title}</h1>
<p id="message">${message}</p>
${detail ? html`<p class="muted"><code id="error-code">${detail}</code></p>` : ''}`);
}
