import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

/** The resource servers the provider knows: `jwt` ones get RFC 9068 JWTs, `opaque` ones opaque tokens. */
export type ResourceFormats = Record<string, { format: 'jwt' | 'opaque'; scope: string }>;

export interface OidcProviderIssuer {
  issuer: string;
  /** A service client with the client credentials grant. */
  client: { id: string; secret: string };
  /** The client the guard introspects with. */
  guardClient: { id: string; secret: string };
  /** Client credentials token for `resource` (RFC 8707), with `scope`. */
  token(resource: string, scope: string): Promise<string>;
  /** Revokes a token at the provider (RFC 7009). */
  revoke(token: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * node-oidc-provider on 127.0.0.1, as another issuer in front of which the guard runs: client
 * credentials with resource indicators (RFC 8707), RFC 9068 JWT access tokens or opaque ones per
 * resource, RFC 7662 introspection and RFC 7009 revocation, discovery at the usual place.
 */
export async function startOidcProvider(resources: ResourceFormats): Promise<OidcProviderIssuer> {
  // oidc-provider ships no type declarations (and is ESM only): loaded by name, typed by what is used.
  const name = 'oidc-provider';
  const { default: Provider } = (await import(name)) as { default: new (issuer: string, config: object) => { callback(): http.RequestListener } };
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'op-key-1', alg: 'RS256', use: 'sig' };
  const client = { id: 'svc', secret: 'svc-secret-0123456789abcdef0123456789' };
  const guardClient = { id: 'portcullis-guard', secret: 'guard-secret-0123456789abcdef0123456789' };
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    ttl: { ClientCredentials: 600 },
    clients: [
      { client_id: client.id, client_secret: client.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      { client_id: guardClient.id, client_secret: guardClient.secret, grant_types: [], redirect_uris: [], response_types: [] },
    ],
    features: {
      clientCredentials: { enabled: true },
      // Only the guard's own client may introspect (the default lets any confidential client).
      introspection: { enabled: true, allowedPolicy: (_ctx: unknown, caller: { clientId: string }) => caller.clientId === guardClient.id },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          const known = resources[resource];
          if (!known) throw new Error(`unknown resource ${resource}`);
          return { scope: known.scope, audience: resource, accessTokenFormat: known.format, accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
  });
  server.on('request', provider.callback());
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const post = async (path: string, form: Record<string, string>) => {
    const res = await fetch(`${issuer}${path}`, { method: 'POST', headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    issuer,
    client,
    guardClient,
    async token(resource, scope) {
      const res = await post('/token', { grant_type: 'client_credentials', resource, scope });
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async revoke(token) {
      await post('/token/revocation', { token });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
