import type { JsonWebKey } from 'node:crypto';
import { basicAuth, FORM, request } from '../common/http';
import type { BenchContext } from './context';
import { cli } from './gateway';
import { assert } from './sanity';
import { APPLICATION, ROLE } from './targets';

export interface Client {
  clientId: string;
  clientSecret: string;
}

/** A service client of the echo application with the reader role, created with the CLI as an operator would. */
export async function createClient(ctx: BenchContext): Promise<Client> {
  const out = await cli(ctx, ['clients', 'create', '--name', 'bench', '--application', APPLICATION, '--role', ROLE, '--json']);
  const json = JSON.parse(out) as { client_id?: unknown; client_secret?: unknown };
  assert(typeof json.client_id === 'string' && typeof json.client_secret === 'string', 'clients create --json printed client_id and client_secret');
  return { clientId: json.client_id, clientSecret: json.client_secret };
}

/** An access token by client_credentials with Basic authentication. */
export async function getToken(ctx: BenchContext, client: Client): Promise<string> {
  const res = await request(`${ctx.gatewayUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.clientId, client.clientSecret), 'content-type': FORM },
    body: 'grant_type=client_credentials',
  });
  const token = res.json?.access_token;
  assert(res.status === 200 && typeof token === 'string', `token endpoint answered 200 with a token (got ${res.status} ${res.text})`);
  return token;
}

/** The public key that signs the token (`kid`), from the JWKS; it must be RS256 for the jwt policy. */
export async function fetchJwk(ctx: BenchContext, kid: unknown): Promise<JsonWebKey> {
  const res = await request(`${ctx.gatewayUrl}/.well-known/jwks.json`);
  const keys = res.json?.keys;
  assert(res.status === 200 && Array.isArray(keys), `JWKS answered 200 (got ${res.status})`);
  const jwk = (keys as JsonWebKey[]).find((k) => k.kid === kid);
  assert(jwk, `JWKS publishes the token's kid ${String(kid)}`);
  assert(jwk.kty === 'RSA' && (jwk.alg === undefined || jwk.alg === 'RS256'), `the signing key is RS256 (got kty ${jwk.kty}, alg ${jwk.alg}); set PORTCULLIS_SIGNING_ALG=RS256`);
  return jwk;
}
