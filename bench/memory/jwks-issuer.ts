import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { HOST } from '../common/processes';

/** A trusted issuer of the memory suite: one key (RS256 or ES256), its JWK Set on 127.0.0.1, signing. */
export interface JwksIssuer {
  issuer: string;
  jwksUri: string;
  alg: 'RS256' | 'ES256';
  /** `count` distinct RFC 9068 access tokens (a jti each), signed `batch` at a time (RSA runs on libuv's pool). */
  sign(count: number, claims: Record<string, unknown>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startJwksIssuer(alg: 'RS256' | 'ES256', port: number): Promise<JwksIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
  const kid = `bench-memory-${alg.toLowerCase()}`;
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] });
  const server = http.createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const base = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  const key: KeyLike = privateKey;
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    alg,
    async sign(count, claims) {
      const now = Math.floor(Date.now() / 1000);
      const one = () => new SignJWT({ ...claims, jti: randomUUID() }).setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setIssuer(base).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
      const tokens: string[] = [];
      for (let i = 0; i < count; i += 256) tokens.push(...(await Promise.all(Array.from({ length: Math.min(256, count - i) }, one))));
      return tokens;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
