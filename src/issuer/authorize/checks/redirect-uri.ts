import { InvalidRequest } from '../../../errors/oauth-errors';
import type { AuthorizeCheck } from './check';

/**
 * RFC 9700 §4.1.3 / RFC 6749 §3.1.2.3: the redirect URI must equal a registered one, character for
 * character. It may be left out only when exactly one is registered. Until this check passes,
 * errors are shown on a page and never redirected (an open redirector otherwise).
 */
export const checkRedirectUri: AuthorizeCheck = (request) => {
  if (request.repeated.has('redirect_uri')) throw new InvalidRequest('parameter redirect_uri must not be repeated');
  const registered = request.client!.redirectUris;
  const given = request.params.get('redirect_uri');
  if (given === undefined) {
    if (registered.length !== 1) throw new InvalidRequest('redirect_uri is required');
    request.redirectUri = registered[0];
    request.redirectUriGiven = false;
    return;
  }
  if (!registered.includes(given)) throw new InvalidRequest('redirect_uri does not match a registered redirect URI');
  request.redirectUri = given;
  request.redirectUriGiven = true;
};
