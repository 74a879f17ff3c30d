import { InvalidRequest, UnsupportedResponseType } from '../../../errors/oauth-errors';
import type { AuthorizeCheck } from './check';
import { repeatedMessage } from '../../../http/read-form';

const MAX_STATE = 1024;

/**
 * The response type and mode this issuer implements (code, query), request objects refused
 * (OIDC Core §6: `request_not_supported`), and state/nonce kept to sane sizes.
 */
export const checkRequestShape: AuthorizeCheck = (request) => {
  const { params } = request;
  // RFC 6749 §4.1.2.1: a repeated parameter is invalid_request, sent back to the now trusted
  // redirect URI (before this fix it was a page). A repeated state is ambiguous: echo neither.
  request.state = request.repeated.has('state') ? undefined : params.get('state');
  if (request.repeated.size) throw new InvalidRequest(repeatedMessage([...request.repeated]));
  if (request.state !== undefined && request.state.length > MAX_STATE) {
    // Do not echo an oversized value back into the redirect.
    request.state = undefined;
    throw new InvalidRequest(`state must be at most ${MAX_STATE} characters`);
  }
  const responseType = params.get('response_type');
  if (!responseType) throw new InvalidRequest('response_type is required');
  if (responseType !== 'code') throw new UnsupportedResponseType('only response_type=code is supported');
  const mode = params.get('response_mode');
  if (mode !== undefined && mode !== 'query') throw new InvalidRequest('only response_mode=query is supported');
  if (params.has('request')) throw new RequestNotSupported('request objects are not supported');
  if (params.has('request_uri')) throw new RequestUriNotSupported('request_uri is not supported');
  const nonce = params.get('nonce');
  if (nonce !== undefined && nonce.length > MAX_STATE) throw new InvalidRequest(`nonce must be at most ${MAX_STATE} characters`);
  request.nonce = nonce;
};

/** OIDC Core §3.1.2.6. */
class RequestNotSupported extends InvalidRequest {
  override readonly error: string = 'request_not_supported';
}
class RequestUriNotSupported extends InvalidRequest {
  override readonly error: string = 'request_uri_not_supported';
}
