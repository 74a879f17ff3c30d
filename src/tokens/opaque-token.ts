import { createHash, randomBytes } from 'node:crypto';

/** A new opaque credential (code, refresh token): 256 random bits with a recognisable prefix. */
export function newOpaqueToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** The store key of an opaque credential: its SHA-256, so a database copy holds no usable value. */
export function storeKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
