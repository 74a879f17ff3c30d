import { expect } from 'chai';
import { metadataUrls, resolveEndpoints } from '../../src/trust/issuer-metadata';
import { FakeIssuer } from '../helpers/fake-issuer';
import { RemoteUnavailable } from '../../src/trust/fetch-json';

const base = { algorithms: ['RS256'], requireTyp: true, accessTokenClaims: ['scope'], leeway: 30, maxTokenLifetime: 3600, keys: { cacheSeconds: 1, refetchIntervalSeconds: 1, maxStaleSeconds: 1, timeoutMs: 500, unknownKidCacheSize: 1 }, claims: { scopes: ['scope'], clientId: ['client_id'] } };

describe('trust: issuer metadata (OpenID Connect Discovery, RFC 8414)', () => {
  it('tries OpenID discovery, then RFC 8414 with the well-known segment before the issuer\'s path', () => {
    expect(metadataUrls({ issuer: 'https://kc.example/realms/acme' })).to.deep.equal([
      'https://kc.example/realms/acme/.well-known/openid-configuration',
      'https://kc.example/.well-known/oauth-authorization-server/realms/acme',
    ]);
    expect(metadataUrls({ issuer: 'https://tenant.auth0.example/' })[0]).to.equal('https://tenant.auth0.example/.well-known/openid-configuration');
    expect(metadataUrls({ issuer: 'https://as.example', metadataUrl: 'https://as.example/meta' })).to.deep.equal(['https://as.example/meta']);
  });

  it('reads jwks_uri and introspection_endpoint from a real issuer\'s discovery document', async () => {
    const issuer = await FakeIssuer.start('/realms/acme');
    try {
      const endpoints = await resolveEndpoints({ ...base, issuer: issuer.issuer, introspection: { clientId: 'a', clientSecret: 'b', cacheSeconds: 1, timeoutMs: 500 } }, 500);
      expect(endpoints).to.deep.equal({ jwksUri: `${issuer.issuer}/jwks`, introspectionEndpoint: `${issuer.issuer}/introspect` });
    } finally {
      await issuer.close();
    }
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const issuer = await FakeIssuer.start();
    try {
      const err = await resolveEndpoints({ ...base, issuer: `${issuer.issuer}/other`, metadataUrl: `${issuer.issuer}/.well-known/openid-configuration` }, 500).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RemoteUnavailable);
      expect((err as Error).message).to.match(/names issuer/);
    } finally {
      await issuer.close();
    }
  });

  it('fetches nothing when the settings name the endpoints', async () => {
    expect(await resolveEndpoints({ ...base, issuer: 'https://unreachable.invalid', jwksUri: 'https://unreachable.invalid/jwks' }, 50)).to.deep.equal({ jwksUri: 'https://unreachable.invalid/jwks', introspectionEndpoint: undefined });
  });
});
