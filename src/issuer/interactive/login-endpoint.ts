import type { Request, Response } from 'express';
import { peerAddress } from '../../http/peer-address';
import { parseParams, readForm } from '../../http/read-form';
import { html } from '../../pages/html';
import { postLogoutTarget, postLogoutUrl, type PostLogoutTarget } from './post-logout-redirect';
import { loginPage } from '../../pages/login-page';
import { messagePage, problemPage } from '../../pages/message-page';
import { redirect303, sendPage } from '../../pages/security-headers';
import { formTargets } from './continue-authorization';
import type { InteractiveDeps } from './interactive-deps';

const GENERIC_FAILURE = 'Invalid username or password.';

/** Only local paths may be returned to after sign-in (no open redirect). */
function safeReturnTo(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && value.length < 1000 ? value : undefined;
}

/** `GET /login`: the sign-in form, for a pending authorization or a local page. */
export function loginForm(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const interaction = typeof req.query.interaction === 'string' ? req.query.interaction : undefined;
    const pending = await deps.pending.load(interaction);
    const app = pending ? await deps.clients.find(pending.clientId) : undefined;
    const returnTo = safeReturnTo(req.query.return_to);
    sendPage(res, 200, loginPage({ csrf: deps.csrf.token(req, res), interaction: pending ? interaction : undefined, returnTo, appName: app?.name }), formTargets(pending));
  };
}

/**
 * `POST /login`: checks CSRF, the throttle, then the password (generic error either way), starts
 * a fresh session, and goes back to the pending authorization or the local page.
 */
export function loginSubmit(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const form = await readForm(req);
    const interaction = form.get('interaction');
    const pending = await deps.pending.load(interaction);
    const returnTo = safeReturnTo(form.get('return_to'));
    const username = form.get('username') ?? '';
    const again = (status: number, error: string) =>
      sendPage(res, status, loginPage({ csrf: deps.csrf.token(req, res), interaction: pending ? interaction : undefined, returnTo, username, error }), formTargets(pending));

    if (!deps.csrf.verify(req, form.get('csrf_token'))) return again(403, 'Your session expired. Please try again.');
    const wait = await deps.throttle.begin(username, peerAddress(req));
    if (wait > 0) {
      // RFC 6585 §4: a 429 may say how long to wait.
      res.setHeader('Retry-After', String(wait));
      deps.countSignIn?.('throttled');
      return again(429, 'Too many failed attempts. Please wait a few minutes and try again.');
    }
    const user = await deps.users.authenticate(username, form.get('password') ?? '');
    if (!user) {
      deps.logger.info('sign-in failed', { username: username.slice(0, 64), address: peerAddress(req) });
      deps.countSignIn?.('failure');
      return again(401, GENERIC_FAILURE);
    }
    await deps.throttle.succeeded(username, peerAddress(req));
    deps.countSignIn?.('success');
    await deps.sessions.start(res, user.userId);
    if (pending && interaction) {
      await deps.pending.update(interaction, { ...pending, signedInAt: deps.now(), userId: user.userId });
      return redirect303(res, `/oauth2/authorize/continue?interaction=${encodeURIComponent(interaction)}`);
    }
    if (returnTo) return redirect303(res, returnTo);
    sendPage(res, 200, messagePage('Signed in', `You are signed in as ${user.username}.`));
  };
}

/**
 * `GET /logout` (also the OIDC `end_session_endpoint`): a confirmation form, because sign-out is a
 * POST (a link or an image cannot sign anyone out). A relying party's `post_logout_redirect_uri`,
 * `state`, `client_id` and `id_token_hint` are checked now and carried through the form.
 */
export function logoutForm(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    const target = await postLogoutTarget(parseParams(new URLSearchParams(query)), deps);
    const csrf = deps.csrf.token(req, res);
    sendPage(res, 200, logoutPage(csrf, target, cancelTarget(req, deps.settings.issuer, target)), target ? [new URL(target.redirectUri).origin] : []);
  };
}

/** `POST /logout`: ends the session, then returns to the relying party if it asked and may. */
export function logoutSubmit(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const form = await readForm(req);
    if (!deps.csrf.verify(req, form.get('csrf_token'))) return sendPage(res, 403, problemPage({ title: 'Sign-out refused', message: 'Your session expired before you confirmed, so you are still signed in.', hint: 'Open the sign-out page again and confirm.', code: 'invalid_csrf', back: { href: '/logout', label: 'Sign out again' } }));
    const target = await postLogoutTarget(form, deps);
    await deps.sessions.end(req, res);
    if (target) return redirect303(res, postLogoutUrl(target));
    sendPage(res, 200, messagePage('Signed out', 'You are signed out.'));
  };
}

/**
 * Where Cancel on the sign-out confirmation goes: back to the app that asked (the origin of its
 * registered post-logout URI: the URI itself would tell the app the person signed out), else the
 * page of this issuer the person came from, else the sign-in page.
 */
function cancelTarget(req: Request, issuer: string, target?: PostLogoutTarget): string {
  if (target) return `${new URL(target.redirectUri).origin}/`;
  const referer = req.get('referer');
  if (referer && URL.canParse(referer)) {
    const from = new URL(referer);
    const local = safeReturnTo(from.pathname + from.search);
    if (from.origin === new URL(issuer).origin && local && !local.startsWith('/logout')) return local;
  }
  return '/login';
}

function logoutPage(csrf: string, target: PostLogoutTarget | undefined, cancel: string): string {
  const page = messagePage('Sign out', 'Sign out on this browser? You will have to sign in again to use the apps.');
  const hidden = target
    ? html`<input type="hidden" name="post_logout_redirect_uri" value="${target.redirectUri}"><input type="hidden" name="client_id" value="${target.clientId}">${target.state !== undefined ? html`<input type="hidden" name="state" value="${target.state}">` : ''}`
    : html``;
  const form = html`<form method="post" action="/logout" class="actions"><input type="hidden" name="csrf_token" value="${csrf}">${hidden}<button type="submit" id="sign-out">Sign out</button> <a class="button secondary" id="cancel-sign-out" href="${cancel}">Cancel</a></form>`;
  return page.replace('</main>', `${form.value}\n</main>`);
}
