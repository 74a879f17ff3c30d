import { hash } from 'node:crypto';

/** The bytes of the SHA-256 a digest keeps. */
export const DIGEST_BYTES = 16;

/** The digest's character codes, reused by every call (tokenDigest is synchronous). */
const codes: number[] = new Array<number>(DIGEST_BYTES).fill(0);

/**
 * The key a cache files a bearer token under: the first 16 bytes of its SHA-256, as a latin1
 * string (a one-byte string of 16 characters: 32 bytes of heap, where the whole digest took 48 and
 * base64url would take 64). A cache keyed by the token itself keeps every whole token in memory
 * (hundreds of bytes each, and a credential); the digest is the same for one spelling only, so a
 * token that differs by one byte is a miss and a full check.
 *
 * 128 bits are enough: a forged token would have to share the digest of a token some caller
 * already had verified, a second preimage, 2^128 work for a truncated SHA-256 (2^128 / n against
 * any of n cached tokens). A collision of two tokens both of the attacker's making (2^64) is of no
 * use: only tokens the issuer signed are ever verified and cached, and their bytes (a random `jti`
 * and a signature) are not the attacker's to choose.
 */
export function tokenDigest(token: string): string {
  // One request asks several caches about its token (the own tokens' verifier, then a trusted
  // issuer's): the last token's digest is kept, so it is hashed once. Equal strings only: a token
  // that differs by one character is hashed anew.
  if (token === lastToken) return lastDigest;
  // 'binary' is latin1, one character per byte. The token is hashed as UTF-8, which is one-to-one
  // on ASCII; only tokens that passed verification (canonical base64url, so ASCII) are ever stored
  // under a digest.
  const whole = hash('sha256', token, 'binary');
  // A string of its own: `whole.slice(0, 16)` would be a sliced string keeping the whole digest
  // alive, and a Buffer digest costs microseconds a call (an ArrayBuffer each); this about 0.3.
  for (let i = 0; i < DIGEST_BYTES; i++) codes[i] = whole.charCodeAt(i);
  const digest = String.fromCharCode.apply(null, codes);
  lastToken = token;
  lastDigest = digest;
  return digest;
}

/** The last token hashed and its digest (none yet: no string equals undefined). */
let lastToken: string | undefined;
let lastDigest = '';
