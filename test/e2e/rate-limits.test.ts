import { expect } from 'chai';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, startExpectingFailure, startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { eachStore } from '../helpers/each-store';

/** `rateLimits` in the sample's system.config.yml, placed after `cacheMs`. */
const withRateLimits = (yaml: string) => (text: string) => text.replace('    cacheMs: 500\n', `    cacheMs: 500\n    rateLimits:\n${yaml}`);

/**
 * The rate limits through the real gateway (`portcullis start`, Express Gateway validating the
 * plugin settings): a limit set in system.config.yml applies at the token endpoint, and a
 * meaningless value stops start-up naming the field.
 */
eachStore('Rate limits through the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;

  before(async () => {
    const dir = configWith('system.config.yml', withRateLimits('      token:\n        perClient: { limit: 2, windowSeconds: 3600 }\n      introspection: false\n'));
    gw = await startGateway({ ...backend.env(), PORTCULLIS_CONFIG_DIR: dir });
  });
  after(() => gw?.stop());

  it('a per-client limit of 2 set in system.config.yml: two tokens, then 429 slow_down with Retry-After', async () => {
    const created = await gw.cli(['clients', 'create', '--name', 'limited', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(created.code, created.stderr).to.equal(0);
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    const token = () =>
      fetch(`${gw.baseUrl}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    for (let i = 0; i < 2; i++) expect((await token()).status).to.equal(200);
    const limited = await token();
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 3600);
    expect(limited.headers.get('cache-control')).to.equal('no-store');
    const body = (await limited.json()) as Record<string, unknown>;
    expect(body.error).to.equal('slow_down');
    expect(Object.keys(body).sort()).to.deep.equal(['error', 'error_description', 'request_id']);
  });

  it('rateLimits: true stops start-up with the field named', async () => {
    const dir = configWith('system.config.yml', (t) => t.replace('    cacheMs: 500\n', '    cacheMs: 500\n    rateLimits: true\n'));
    const { code, output } = await startExpectingFailure(await gatewayEnv({ ...backend.env(), PORTCULLIS_CONFIG_DIR: dir }));
    expect(output).to.match(/system\.config\.yml: plugins\.portcullis\.rateLimits: must be an object of settings, or false to turn it off/);
    expect(output).to.not.match(/\n\s+at /);
    expect(code, output).to.equal(2);
  });
});
