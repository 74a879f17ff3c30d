import { hash } from 'node:crypto';

/**
 * The key a cache files a bearer token under: its SHA-256, the 32 raw bytes as a latin1 string
 * (a one-byte string of 32 characters; base64url would take 43). A cache keyed by the token itself
 * keeps every whole token in memory (hundreds of bytes each, and a credential); the digest is
 * the same for one spelling only, so a token that differs by one byte is a miss and a full check
 * (collisions of SHA-256 are not a practical concern). One-shot `crypto.hash`: no Hash object per call.
 */
export function tokenDigest(token: string): string {
  // One request asks several caches about its token (the own tokens' verifier, then a trusted
  // issuer's): the last token's digest is kept, so it is hashed once. Equal strings only: a token
  // that differs by one character is hashed anew.
  if (token === last.token) return last.digest;
  // 'binary' is latin1. The token is hashed as UTF-8, which is one-to-one on ASCII; only tokens
  // that passed verification (canonical base64url, so ASCII) are ever stored under a digest.
  const digest = hash('sha256', token, 'binary');
  last.token = token;
  last.digest = digest;
  return digest;
}

const last = { token: '', digest: hash('sha256', '', 'binary') };
