import { expect } from 'chai';
import { SettingsError } from '../../src/config/settings';
import { ISSUER, TEST_APPLICATIONS, testSettings } from '../helpers/test-portcullis';

const KC = 'https://kc.example/realms/acme';
const introspection = { clientId: 'guard', clientSecret: 's' };

/** What the settings refuse about trustedIssuers, naming the field. */
describe('settings: trustedIssuers', () => {
  it('defaults: none, and no application names one (today\'s behaviour)', () => {
    const settings = testSettings();
    expect(settings.trustedIssuers).to.deep.equal([]);
    expect(settings.applications.echo.trustedIssuers).to.deep.equal([]);
  });

  it('fills every default of a declared issuer', () => {
    const [kc] = testSettings({ trustedIssuers: [{ issuer: KC }] }).trustedIssuers;
    expect(kc).to.deep.include({ algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'], requireTyp: true, leeway: 30, maxTokenLifetime: 86400, accessTokenClaims: ['scope', 'scp', 'client_id'] });
    expect(kc.keys).to.deep.equal({ cacheSeconds: 300, refetchIntervalSeconds: 30, maxStaleSeconds: 3600, timeoutMs: 2000, unknownKidCacheSize: 1000 });
    expect(kc.claims).to.deep.equal({ scopes: ['scope', 'scp'], clientId: ['client_id', 'azp', 'appid'] });
  });

  const refused = (overrides: Record<string, unknown>, message: RegExp) => expect(() => testSettings(overrides)).to.throw(SettingsError, message);

  it('refuses an application naming an undeclared issuer', () => {
    refused({ applications: { ...TEST_APPLICATIONS, echo: { ...TEST_APPLICATIONS.echo, trustedIssuers: [KC] } } }, /plugins\.portcullis\.applications\.echo\.trustedIssuers\[0\]: "https:\/\/kc\.example\/realms\/acme" is not declared/);
  });

  it('refuses Portcullis itself, an issuer declared twice, and two introspecting issuers at one application', () => {
    refused({ trustedIssuers: [{ issuer: ISSUER }] }, /trustedIssuers\[0\]\.issuer: is this Portcullis's own issuer/);
    refused({ trustedIssuers: [{ issuer: KC }, { issuer: KC }] }, /trustedIssuers\[1\]\.issuer: .* is declared twice/);
    refused(
      {
        trustedIssuers: [{ issuer: KC, introspection }, { issuer: 'https://other.example', introspection }],
        applications: { ...TEST_APPLICATIONS, echo: { ...TEST_APPLICATIONS.echo, trustedIssuers: [KC, 'https://other.example'] } },
      },
      /at most one issuer with introspection per application/,
    );
  });

  it('accepts an issuer ending in / (Auth0), refuses a query, an unknown algorithm and an unknown field', () => {
    expect(testSettings({ trustedIssuers: [{ issuer: 'https://acme.eu.auth0.com/' }] }).trustedIssuers[0].issuer).to.equal('https://acme.eu.auth0.com/');
    refused({ trustedIssuers: [{ issuer: `${KC}?x=1` }] }, /trustedIssuers/);
    refused({ trustedIssuers: [{ issuer: KC, algorithms: ['HS256'] }] }, /algorithms/);
    refused({ trustedIssuers: [{ issuer: KC, jwks: 'x' }] }, /jwks/);
  });
});
