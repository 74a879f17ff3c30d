import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { InvalidToken } from '../errors/oauth-errors';

/** RFC 7515 §2 Base64url Encoding: the URL-safe alphabet (RFC 4648 §5), all padding omitted. */
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a part of the alphabet above is the one spelling of its bytes, the same answer as
 * decoding and re-encoding it, without doing either: a length that leaves a lone character
 * (length % 4 == 1) is never canonical, and the last character of a part whose length leaves
 * 2 or 3 characters carries 4 or 2 unused low bits, which must be zero (RFC 4648 §3.5).
 */
function isCanonical(part: string): boolean {
  const rest = part.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = ALPHABET.indexOf(part[part.length - 1]);
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * What is wrong with the spelling of a compact JWS, or undefined. Checked before anything is
 * decoded: only the spelling RFC 7515 allows passes, so one token has exactly one spelling (a
 * cache, a revocation or a log line keyed by the token string cannot be sidestepped by re-spelling):
 * - RFC 7515 §7.1: the compact serialization is exactly three parts joined by `.`, none empty
 *   (an access token always has a payload and a signature);
 * - RFC 7515 §2: each part is base64url without padding: no `+`, `/`, `=`, whitespace or anything
 *   else, which Node's lenient decoder would otherwise skip or map to the same bytes;
 * - each part is canonical: decoding and re-encoding it gives it back. This also refuses a part
 *   whose length leaves a lone character (length % 4 == 1) and a last character whose unused
 *   low bits are not zero (RFC 4648 §3.5), both of which decode to the same bytes as another spelling.
 */
export function compactJwsProblem(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'a JWS has exactly three parts';
  for (const part of parts) {
    if (!SEGMENT.test(part)) return 'only unpadded base64url is allowed';
    if (!isCanonical(part)) return 'a part is not canonical base64url';
  }
  return undefined;
}

/** `compactJwsProblem` for an access token: `invalid_token` naming the problem. */
export function assertCanonicalCompactJws(token: string): void {
  const problem = compactJwsProblem(token);
  if (problem) throw new InvalidToken(`the access token is malformed (${problem})`, 'malformed_token');
}

/**
 * The protected header of a signed access token, with its `kid`, after its spelling is checked: the first step of every JWT
 * verification, for this issuer's tokens (guard/token-verifier.ts) and other issuers'
 * (trust/foreign-jwt-verifier.ts) alike.
 */
export function signedHeaderOf(token: string): ProtectedHeaderParameters & { kid: string } {
  assertCanonicalCompactJws(token);
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new InvalidToken('the access token is malformed', 'malformed_token');
  }
  if (typeof header.kid !== 'string') throw new InvalidToken('the access token names no signing key', 'malformed_token');
  return header as ProtectedHeaderParameters & { kid: string };
}
