import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { clientCredentialsGrant } from '../../../src/issuer/grants/client-credentials';
import type { GrantHandler } from '../../../src/issuer/grants/grant-handler';
import { createClient, exchange, openGrantFixture, refusal, type GrantFixture } from '../../helpers/grant-fixture';

/** RFC 6749 §4.4 as the grant handler answers it: real registries on SQLite, no HTTP. */
describe('grant: client_credentials (src/issuer/grants/client-credentials.ts)', () => {
  let f: GrantFixture;
  let grant: GrantHandler;

  beforeEach(async () => {
    f = await openGrantFixture();
    grant = clientCredentialsGrant({ tokens: f.tokens, applications: f.settings.applications, storedRoles: async () => ({}) });
  });
  afterEach(() => f.close());

  it('is registered as client_credentials, reads scope, and is for confidential clients only', () => {
    expect(grant.grantType).to.equal('client_credentials');
    expect(grant.parameters).to.deep.equal(['scope']);
    expect(grant.allowsPublicClients).to.equal(false);
  });

  it('a service client gets an access token for its application carrying its current roles, itself as subject', async () => {
    const bot = await createClient(f, { roles: ['echo-reader', 'echo-writer'] });
    const response = await exchange(grant, bot, {});
    expect(response).to.have.all.keys('access_token', 'token_type', 'expires_in');
    expect(response.token_type).to.equal('Bearer');
    expect(response.expires_in).to.equal(f.settings.tokens.accessTokenTtl);
    const claims = decodeJwt(response.access_token);
    expect(claims).to.include({ client_id: bot.clientId, sub: bot.clientId, aud: f.settings.applications.echo.audience, iss: f.settings.issuer });
    expect(claims.roles).to.deep.equal(['echo-reader', 'echo-writer']);
    expect(claims).to.not.have.property('scope');
    expect(claims.iat).to.equal(Math.floor(f.now.ms / 1000));
  });

  it('a requested scope narrows the token to those permissions, and the response says so (§5.1)', async () => {
    const bot = await createClient(f, { roles: ['echo-reader', 'echo-writer'] });
    const response = await exchange(grant, bot, { scope: 'echo:read' });
    expect(response.scope).to.equal('echo:read');
    expect(decodeJwt(response.access_token).scope).to.equal('echo:read');
  });

  it('a scope the client\'s roles do not grant: invalid_scope naming it (§3.3)', async () => {
    const bot = await createClient(f, { roles: ['echo-reader'] });
    await refusal(exchange(grant, bot, { scope: 'echo:read echo:write' }), 'invalid_scope', /^scope not granted to this client: echo:write$/);
    await refusal(exchange(grant, bot, { scope: 'billing:read' }), 'invalid_scope', /billing:read/);
  });

  it('roles changed since are what the next token carries', async () => {
    const bot = await createClient(f, { roles: ['echo-reader'] });
    await f.clients.setRoles(bot.clientId, ['echo-writer']);
    const changed = (await f.clients.find(bot.clientId))!;
    expect(decodeJwt((await exchange(grant, changed, {})).access_token).roles).to.deep.equal(['echo-writer']);
  });

  it('a client that is not a service client (web, public): unauthorized_client', async () => {
    const web = await createClient(f, { type: 'web', redirectUris: ['https://app.test/cb'] });
    await refusal(exchange(grant, web, {}), 'unauthorized_client', /client_credentials/);
    const spa = await createClient(f, { type: 'public', redirectUris: ['https://spa.test/cb'] });
    await refusal(exchange(grant, spa, {}, 'none'), 'unauthorized_client');
  });
});
