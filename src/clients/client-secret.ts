import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Recognisable prefix, so a leaked secret is easy to spot in code and by secret scanners. */
export const SECRET_PREFIX = 'pcs_';
export const CLIENT_ID_PREFIX = 'pcc_';

/** A new client secret: 256 bits from the CSPRNG, base64url, with the prefix. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** A new client id: 128 random bits; not a secret, but not guessable either. */
export function generateClientId(): string {
  return CLIENT_ID_PREFIX + randomBytes(16).toString('base64url');
}

/**
 * Keyed hash of a secret (HMAC-SHA256). The secrets are full-entropy random values, so a slow
 * password hash would add cost without adding safety; the key means a copy of the database alone
 * does not let anyone check guesses offline.
 */
export function hashSecret(secret: string, key: Buffer): string {
  return secretMac(secret, key).toString('base64url');
}

/** The HMAC-SHA256 of a secret under the hash key, as bytes. */
function secretMac(secret: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(secret, 'utf8').digest();
}

/** Constant-time check of a presented secret against a stored hash. */
export function verifySecret(presented: string, storedHash: string, key: Buffer): boolean {
  const a = secretMac(presented, key);
  const b = Buffer.from(storedHash, 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}
