import type { JWK, KeyLike } from 'jose';
import type { SigningAlgorithm } from '../config/settings';

/**
 * jose, loaded when a key is made or imported, not with this file: the key ring is built by every
 * command line action, and most (`clients list`, `users show`...) sign and verify nothing, so they
 * should not pay for loading jose (bench/cli/).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jose = () => require('jose') as typeof import('jose');

/** A signing key as persisted in the store. The private JWK never leaves the store or the process. */
export interface StoredSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: number;
  /** Set when a newer key took over; the public key stays published until `publishUntil`. */
  retiredAt?: number;
  publishUntil?: number;
}

/** A key ready for use: imported key objects, and the public JWK to publish. */
export interface LoadedKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyLike;
  publicKey: KeyLike;
  publicJwk: JWK;
  stored: StoredSigningKey;
}

/** Generates a new key pair for `alg`; the kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(alg: SigningAlgorithm, now: number): Promise<StoredSigningKey> {
  const { calculateJwkThumbprint, exportJWK, generateKeyPair } = jose();
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    createdAt: now,
    privateJwk: { ...privateJwk, kid, alg },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
  };
}

/** Imports a stored key into key objects. */
export async function loadSigningKey(stored: StoredSigningKey): Promise<LoadedKey> {
  const { importJWK } = jose();
  const privateKey = (await importJWK(stored.privateJwk, stored.alg)) as KeyLike;
  const publicKey = (await importJWK(stored.publicJwk, stored.alg)) as KeyLike;
  return { kid: stored.kid, alg: stored.alg, privateKey, publicKey, publicJwk: stored.publicJwk, stored };
}
