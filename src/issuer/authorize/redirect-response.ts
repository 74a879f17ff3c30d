import type { OAuthError } from '../../errors/oauth-errors';

/**
 * The redirect back to the client (RFC 6749 §4.1.2): the code or the error, `state` exactly as
 * received, and `iss` (RFC 9207) so the client can tell which issuer answered (mix-up defence).
 */
export function redirectBack(redirectUri: string, issuer: string, state: string | undefined, result: { code: string } | { error: OAuthError }): string {
  const url = new URL(redirectUri);
  if ('code' in result) url.searchParams.append('code', result.code);
  else {
    url.searchParams.append('error', result.error.error);
    url.searchParams.append('error_description', result.error.description);
  }
  if (state !== undefined) url.searchParams.append('state', state);
  url.searchParams.append('iss', issuer);
  return url.toString();
}
