import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesRedirectUri } from '../../clients/redirect-uri-match';
import { ConsentRequired, LoginRequired, type OAuthError } from '../../errors/oauth-errors';
import { problemPage } from '../../pages/message-page';
import { redirect303, sendPage } from '../../pages/security-headers';
import type { PendingAuthorization } from '../authorize/authorization-request';
import { redirectBack } from '../authorize/redirect-response';
import type { InteractiveDeps } from './interactive-deps';

/**
 * RFC 6749 §3.1.2.3: the browser goes back only to a redirect URI the app has registered, as
 * `matchesRedirectUri` compares them, checked again when it is sent there: an admin may have
 * removed the URI while the user was signing in (up to 30 minutes).
 */
async function stillRegistered(pending: PendingAuthorization, deps: InteractiveDeps): Promise<boolean> {
  const client = await deps.clients.find(pending.clientId);
  return client !== undefined && matchesRedirectUri(client.redirectUris, pending.redirectUri);
}

function redirectUriRemoved(res: ServerResponse): void {
  sendPage(res, 400, problemPage({ title: 'Request refused', message: 'This app no longer accepts this redirect URI (the address it asked to send you back to).', hint: 'Go back to the app and start again.', code: 'invalid_request' }));
}

/** Ends the authorization with an error sent back to the client. */
export async function failBack(res: ServerResponse, id: string, pending: PendingAuthorization, error: OAuthError, deps: InteractiveDeps): Promise<void> {
  await deps.pending.finish(id);
  if (!(await stillRegistered(pending, deps))) return redirectUriRemoved(res);
  redirect303(res, redirectBack(pending.redirectUri, deps.settings.issuer, pending.state, { error }));
}

/**
 * Decides the next step of a validated authorization request (OIDC Core §3.1.2.3-§3.1.2.4):
 * sign in (none yet, prompt=login, or max_age exceeded), then consent (not remembered, or
 * prompt=consent), then the code. prompt=none turns a needed page into an error instead.
 */
export async function continueAuthorization(req: IncomingMessage, res: ServerResponse, id: string, pending: PendingAuthorization, deps: InteractiveDeps): Promise<void> {
  const session = await deps.sessions.read(req);
  const user = session ? await deps.users.find(session.userId) : undefined;
  const nowSeconds = Math.floor(deps.now() / 1000);
  // OIDC Core §3.1.2.1: "max_age=0 is equivalent to prompt=login". Fix: with `>` alone, a sign-in
  // in the same second (elapsed 0) satisfied max_age=0 and no sign-in was forced.
  const tooOld = pending.maxAge !== undefined && session !== undefined && (pending.maxAge === 0 || nowSeconds - session.authTime > pending.maxAge);
  const mustSignIn = !session || !user || user.status !== 'active' || (!pending.signedInAt && (pending.prompt.includes('login') || tooOld));
  if (mustSignIn) {
    if (pending.prompt.includes('none')) return failBack(res, id, pending, new LoginRequired('the user is not signed in'), deps);
    return redirect303(res, `/login?interaction=${encodeURIComponent(id)}`);
  }
  if (pending.userId !== user.userId) {
    pending.userId = user.userId;
    await deps.pending.update(id, pending);
  }
  const remembered = !pending.prompt.includes('consent') && (await deps.consents.covers(user.userId, pending.clientId, pending.scopes));
  if (!remembered) {
    if (pending.prompt.includes('none')) return failBack(res, id, pending, new ConsentRequired('the user has not allowed this app yet'), deps);
    return redirect303(res, `/oauth2/consent?interaction=${encodeURIComponent(id)}`);
  }
  return issueCode(res, id, session.authTime, user.userId, deps);
}

/** The last step: the code, bound to everything the request said, and the redirect back. */
export async function issueCode(res: ServerResponse, id: string, authTime: number, userId: string, deps: InteractiveDeps): Promise<void> {
  const pending = await deps.pending.finish(id);
  if (!pending) return expired(res);
  const client = await deps.clients.find(pending.clientId);
  if (!client || client.status !== 'active') return sendPage(res, 400, problemPage({ title: 'App unavailable', message: `${client?.name ?? 'This app'} has been deactivated: you cannot sign in to it now.`, hint: 'Ask the people who run the app.', code: 'unauthorized_client' }));
  if (!(await stillRegistered(pending, deps))) return redirectUriRemoved(res);
  const code = await deps.codes.issue({
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    redirectUriGiven: pending.redirectUriGiven,
    userId,
    scopes: pending.scopes,
    codeChallenge: pending.codeChallenge,
    codeChallengeMethod: pending.codeChallengeMethod,
    nonce: pending.nonce,
    authTime,
    grantId: randomUUID(),
  });
  redirect303(res, redirectBack(pending.redirectUri, deps.settings.issuer, pending.state, { code }));
}

/** The pending request is gone (expired, or finished in another tab). */
export function expired(res: ServerResponse): void {
  sendPage(res, 400, problemPage({ title: 'Request expired', message: 'This sign-in request has expired or was already completed.', hint: 'Go back to the app and start again.', code: 'invalid_request' }));
}

/** Origins the browser may be redirected to after a form on these pages (CSP form-action). */
export function formTargets(pending: PendingAuthorization | undefined): string[] {
  if (!pending) return [];
  try {
    const url = new URL(pending.redirectUri);
    return url.origin !== 'null' ? [url.origin] : [`${url.protocol}`];
  } catch {
    return [];
  }
}
