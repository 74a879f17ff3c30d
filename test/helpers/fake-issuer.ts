import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/** What the JWK Set endpoint does: answer, fail, hang for a while, or answer something that is no key set. */
export type JwksMode = 'ok' | 'down' | 'slow' | 'garbage' | 'no-keys';

interface IssuerKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

/**
 * A small OAuth issuer of the test's own (jose + express) on 127.0.0.1: discovery metadata, a JWK
 * Set whose keys can be rotated and retired and whose endpoint can be taken down, slowed or made
 * to answer garbage, token signing with any claims (Keycloak-, Auth0- or Entra-shaped), and an
 * RFC 7662 introspection endpoint over a table of opaque tokens. It counts every JWKS fetch and
 * introspection request, so tests can hold the guard to its limits.
 */
export class FakeIssuer {
  issuer = '';
  jwksMode: JwksMode = 'ok';
  /** How long `slow` hangs before it answers. */
  slowMs = 5_000;
  jwksFetches = 0;
  metadataFetches = 0;
  /** The discovery document answers 503. */
  metadataDown = false;
  introspectionRequests = 0;
  introspectionMode: 'ok' | 'down' | 'garbage' | 'slow' = 'ok';
  /** Opaque token -> introspection answer (`active: true` and claims). */
  readonly opaque = new Map<string, Record<string, unknown>>();
  /** Basic credentials the introspection endpoint accepts. */
  readonly introspectionClient = { id: 'portcullis-guard', secret: 'guard secret!' };
  private readonly keys: IssuerKey[] = [];
  private server?: http.Server;
  /** The key behind `signWithUnknownKey` (one for all kids: generating RSA keys is slow). */
  private stray?: Promise<KeyLike>;

  /**
   * `path` makes an issuer with a path, as Keycloak's `/realms/<realm>`; `trailingSlash` an
   * issuer identifier ending in `/`, as Auth0's `https://tenant.auth0.com/`.
   */
  static async start(path = '', options: { trailingSlash?: boolean } = {}): Promise<FakeIssuer> {
    const issuer = new FakeIssuer();
    await issuer.rotate();
    await issuer.listen(path);
    if (options.trailingSlash) issuer.issuer += '/';
    return issuer;
  }

  /** Where the endpoints are: the issuer without a terminating `/`. */
  get base(): string {
    return this.issuer.replace(/\/$/, '');
  }

  /** The current signing key's id. */
  get kid(): string {
    return this.keys[this.keys.length - 1].kid;
  }

  /** Publishes a new key and signs with it from now on; the old ones stay published. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = `k${this.keys.length + 1}-${Math.random().toString(36).slice(2, 8)}`;
    this.keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } });
    return kid;
  }

  /** Stops publishing a key (signing with it is still possible, to test that its tokens stop working). */
  retire(kid: string): void {
    const key = this.keys.find((k) => k.kid === kid)!;
    key.jwk = { ...key.jwk, retired: true } as JWK;
  }

  /** Signs `claims` (iss, iat and exp filled unless given) with the current key or `options.kid`. */
  async sign(claims: Record<string, unknown>, options: { kid?: string; typ?: string | null; ttl?: number } = {}): Promise<string> {
    const key = this.keys.find((k) => k.kid === (options.kid ?? this.kid))!;
    const now = Math.floor(Date.now() / 1000);
    const header: Record<string, string> = { alg: 'RS256', kid: key.kid };
    if (options.typ !== null) header.typ = options.typ ?? 'at+jwt';
    return new SignJWT({ iss: this.issuer, iat: now, exp: now + (options.ttl ?? 300), ...claims }).setProtectedHeader(header as never).sign(key.privateKey);
  }

  /** Signs with a key the issuer never published (its kid is random). */
  async signWithUnknownKey(claims: Record<string, unknown>, kid: string): Promise<string> {
    this.stray ??= generateKeyPair('RS256').then((pair) => pair.privateKey);
    const privateKey = await this.stray;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey);
  }

  private async listen(path: string): Promise<void> {
    const app = express();
    app.get(`${path}/.well-known/openid-configuration`, (_req, res) => {
      this.metadataFetches++;
      if (this.metadataDown) return void res.status(503).send('down');
      res.json({ issuer: this.issuer, jwks_uri: `${this.base}/jwks`, introspection_endpoint: `${this.base}/introspect` });
    });
    app.get(`${path}/jwks`, (_req, res) => {
      this.jwksFetches++;
      const published = this.keys.filter((k) => !(k.jwk as { retired?: boolean }).retired).map((k) => k.jwk);
      if (this.jwksMode === 'down') return void res.status(503).send('down');
      if (this.jwksMode === 'garbage') return void res.type('application/json').send('{"keys": [ not json');
      if (this.jwksMode === 'no-keys') return void res.json({ keys: [{ kty: 'oct', k: 'AAAA' }] });
      if (this.jwksMode === 'slow') return void setTimeout(() => res.json({ keys: published }), this.slowMs).unref();
      res.json({ keys: published });
    });
    app.post(`${path}/introspect`, express.urlencoded({ extended: false }), (req, res) => {
      this.introspectionRequests++;
      if (this.introspectionMode === 'down') return void res.status(500).json({ error: 'server_error' });
      if (this.introspectionMode === 'garbage') return void res.json({ activ: true });
      if (this.introspectionMode === 'slow') return void setTimeout(() => res.json({ active: true }), this.slowMs).unref();
      const expected = `Basic ${Buffer.from(`portcullis-guard:guard+secret%21`).toString('base64')}`;
      if (req.headers.authorization !== expected) return void res.status(401).json({ error: 'invalid_client' });
      res.json(this.opaque.get(String(req.body.token)) ?? { active: false });
    });
    this.server = http.createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
