import { expect } from 'chai';
import request from 'supertest';
import { authorizeParams, createApp, createUser, decide, locationOf, signIn, startAuthorization, startFlowServer, type FlowApp, type FlowUser } from '../helpers/browser-flow';
import type { TestServer } from '../helpers/test-portcullis';
import { expectPage } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: the browser is sent back only to a registered redirect URI.
 * A request can wait up to 30 minutes for sign-in and consent; if an admin removes its redirect
 * URI meanwhile (say, a compromised one), neither the code nor an error goes there.
 */
eachStore('RFC 6749 §3.1.2.3: a redirect URI removed during sign-in gets nothing', (backend) => {
  let server: TestServer;
  let user: FlowUser;
  const KEPT = 'https://app.example/kept';
  const REMOVED = 'https://app.example/removed';

  before(async () => {
    ({ server } = await startFlowServer({ store: backend }));
    user = await createUser(server);
  });
  after(() => server.close());

  /** Authorize to REMOVED, sign in, reach the consent page; then the admin removes REMOVED. */
  async function atConsentThenRemoved(): Promise<{ agent: ReturnType<typeof request.agent>; consent: string }> {
    const app: FlowApp = { ...(await createApp(server, { redirectUris: [KEPT, REMOVED] })), redirectUri: REMOVED };
    const agent = request.agent(server.app);
    const login = locationOf(await startAuthorization(agent, authorizeParams(app)));
    const back = locationOf(await signIn(agent, login, user));
    const consent = locationOf(await agent.get(back));
    expect(consent).to.match(/^\/oauth2\/consent\?/);
    await server.portcullis.clients.edit(app.clientId, { redirectUris: [KEPT] });
    return { agent, consent };
  }

  for (const decision of ['allow', 'deny'] as const) {
    it(`${decision} on the consent page -> 400 page, no redirect to the removed URI`, async () => {
      const { agent, consent } = await atConsentThenRemoved();
      const res = await decide(agent, consent, decision);
      expectPage(res, 400, 'invalid_request');
      expect(res.text).to.include('no longer accepts this redirect URI');
    });
  }
});
