import { matchesRedirectUri } from '../../../clients/redirect-uri-match';
import { uriTextProblem } from '../../../clients/redirect-uri';
import { InvalidRequest } from '../../../errors/oauth-errors';
import type { AuthorizeCheck } from './check';

/**
 * RFC 9700 §4.1.3 / RFC 6749 §3.1.2.3: the redirect URI must equal a registered one, character for
 * character, except for the port of a loopback IP literal (RFC 8252 §7.3; `matchesRedirectUri`).
 * It may be left out only when exactly one is registered. A URI with characters outside RFC 3986
 * is refused even if it was stored before registration refused them. Until this check passes,
 * errors are shown on a page and never redirected (an open redirector otherwise).
 */
export const checkRedirectUri: AuthorizeCheck = (request) => {
  if (request.repeated.has('redirect_uri')) throw new InvalidRequest('parameter redirect_uri must not be repeated');
  const registered = request.client!.redirectUris;
  const given = request.params.get('redirect_uri');
  if (given === undefined) {
    if (registered.length !== 1) throw new InvalidRequest('redirect_uri is required');
    if (uriTextProblem(registered[0])) throw new InvalidRequest('the registered redirect URI is not a valid URI; the app must register it again');
    request.redirectUri = registered[0];
    request.redirectUriGiven = false;
    return;
  }
  if (uriTextProblem(given)) throw new InvalidRequest('redirect_uri must contain only URI characters (RFC 3986)');
  if (!matchesRedirectUri(registered, given)) throw new InvalidRequest('redirect_uri does not match a registered redirect URI');
  request.redirectUri = given;
  request.redirectUriGiven = true;
};
