import { expect } from 'chai';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { bigForm, rawBodyRequest } from '../helpers/raw-body-request';
import { eachStore } from '../helpers/each-store';

/**
 * Through the real product (Express Gateway with the plugin): a body over the limit is 413
 * (RFC 9110 §15.5.14) with the protocol's `invalid_request`, for both framings, and an error
 * description never repeats hostile input (RFC 6749 §5.2).
 */
eachStore('e2e: RFC 9110 §15.5.14 and RFC 6749 §5.2 through the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let port: number;

  before(async () => {
    gw = await startGateway(backend.env());
    port = Number(new URL(gw.baseUrl).port);
  });
  after(async () => {
    await gw?.stop();
  });

  for (const declare of [true, false]) {
    it(`POST /oauth2/token with a 10 MB form ${declare ? 'with Content-Length' : 'sent chunked'} -> 413 invalid_request`, async () => {
      const answer = await rawBodyRequest({ port }, { path: '/oauth2/token', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, chunks: bigForm('grant_type=client_credentials', 10 * 1024 * 1024), declare });
      expect(answer.status, answer.body).to.equal(413);
      expect(answer.headers['cache-control']).to.equal('no-store');
      expect(answer.headers.connection).to.equal('close');
      expect(answer.writeError, 'RFC 9112 §9.6: no reset while the client was still sending').to.equal(undefined);
      expect(JSON.parse(answer.body)).to.include({ error: 'invalid_request', error_description: 'request body too large' });
    });
  }

  it('a hostile grant_type is not echoed', async () => {
    const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'bogus"\\\t\u00e9<script>', client_id: 'x' }).toString(),
    });
    const body = await res.json() as Record<string, string>;
    expect(res.status).to.be.oneOf([400, 401]);
    expect(body.error_description).to.match(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(JSON.stringify(body)).to.not.include('<script>');
  });
});
