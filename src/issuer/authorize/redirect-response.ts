import type { OAuthError } from '../../errors/oauth-errors';
import { safeDescription } from '../../errors/error-description';

/**
 * The redirect back to the client (RFC 6749 §4.1.2): the code or the error, `state` exactly as
 * received, and `iss` (RFC 9207) so the client can tell which issuer answered (mix-up defence).
 */
export function redirectBack(redirectUri: string, issuer: string, state: string | undefined, result: { code: string } | { error: OAuthError }): string {
  const url = new URL(redirectUri);
  if ('code' in result) url.searchParams.append('code', result.code);
  else {
    url.searchParams.append('error', result.error.error);
    // RFC 6749 §4.1.2.1: error_description limited to %x20-21 / %x23-5B / %x5D-7E.
    url.searchParams.append('error_description', safeDescription(result.error.description));
  }
  if (state !== undefined) url.searchParams.append('state', state);
  url.searchParams.append('iss', issuer);
  return url.toString();
}
