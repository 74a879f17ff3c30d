import type { Request, Response } from 'express';
import { toOAuthError } from '../../errors/classify-error';
import { parseParams, readForm } from '../../http/read-form';
import { sendErrorPage } from '../../pages/error-page';
import { problemPage } from '../../pages/message-page';
import { redirect303, sendPage } from '../../pages/security-headers';
import type { AuthorizationRequest } from '../authorize/authorization-request';
import { AUTHORIZE_CHECKS } from '../authorize/checks';
import { redirectBack } from '../authorize/redirect-response';
import { continueAuthorization } from './continue-authorization';
import type { InteractiveDeps } from './interactive-deps';

/**
 * `GET|POST /oauth2/authorize` (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). Runs the checks in order;
 * until the client and redirect URI are trusted an error is a page, afterwards it goes back to the
 * client with `error`, `state` and `iss`. A valid request is stored and continues to sign-in.
 */
export function authorizeEndpoint(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const request: AuthorizationRequest = { params: new Map(), repeated: new Set(), scopes: [], prompt: new Set(), redirectUriGiven: false };
    try {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      request.params = req.method === 'POST' ? await readForm(req, request.repeated) : parseParams(new URLSearchParams(query), request.repeated);
      for (const check of AUTHORIZE_CHECKS) await check(request, deps);
    } catch (thrown) {
      // Until the client and its redirect URI are trusted, an error (an outage too: 503) is a page.
      if (!request.redirectUri) {
        // The app is named once its client_id is known to be registered.
        return sendErrorPage(res, thrown, {
          title: 'Sign-in request refused', signInRequest: { appName: request.appName }, logger: deps.logger, log: { message: 'authorize failed', context: { path: req.path } },
        });
      }
      const error = toOAuthError(thrown);
      if (error.status >= 500) deps.logger.error('authorize failed', { cause: String(thrown) });
      return redirect303(res, redirectBack(request.redirectUri, deps.settings.issuer, request.state, { error }));
    }
    const pending = {
      clientId: request.client!.clientId,
      redirectUri: request.redirectUri!,
      redirectUriGiven: request.redirectUriGiven,
      state: request.state,
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      nonce: request.nonce,
      prompt: [...request.prompt],
      maxAge: request.maxAge,
    };
    const id = await deps.pending.save(pending);
    await continueAuthorization(req, res, id, pending, deps);
  };
}

/** `GET /oauth2/authorize/continue`: back from sign-in, take the next step. */
export function continueEndpoint(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = typeof req.query.interaction === 'string' ? req.query.interaction : undefined;
    const pending = await deps.pending.load(id);
    if (!id || !pending) {
      return sendPage(res, 400, problemPage({ title: 'Request expired', message: 'This sign-in request has expired or was already completed.', hint: 'Go back to the app and start again.', code: 'invalid_request' }));
    }
    await continueAuthorization(req, res, id, pending, deps);
  };
}
