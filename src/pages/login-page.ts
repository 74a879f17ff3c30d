import { html } from './html';
import { layout } from './layout';

export interface LoginPageModel {
  csrf: string;
  /** The pending authorization this sign-in continues, or a local page to return to. */
  interaction?: string;
  returnTo?: string;
  username?: string;
  error?: string;
  appName?: string;
}

/** The sign-in form. Errors are generic: they never tell whether the username exists. */
export function loginPage(m: LoginPageModel): string {
  return layout('Sign in', html`
<h1>Sign in</h1>
${m.appName ? html`<p class="muted">to continue to <strong>${m.appName}</strong></p>` : ''}
${m.error ? html`<p class="error" role="alert" id="login-error">${m.error}</p>` : ''}
<form method="post" action="/login" autocomplete="on">
  <input type="hidden" name="csrf_token" value="${m.csrf}">
  ${m.interaction ? html`<input type="hidden" name="interaction" value="${m.interaction}">` : ''}
  ${m.returnTo ? html`<input type="hidden" name="return_to" value="${m.returnTo}">` : ''}
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required maxlength="64" value="${m.username ?? ''}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  <div class="actions"><button type="submit">Sign in</button></div>
</form>`);
}
