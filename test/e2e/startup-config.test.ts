// One backend (SQLite; some cases name a Redis on purpose): a misconfiguration stops start-up before the store serves anything.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, startExpectingFailure, startGateway, tempDir } from '../helpers/gateway-process';
import guardSchema from '../../src/config/guard-params.schema.json';

/** The guard parameters a message lists as allowed: the schema's, less the one Express Gateway adds. */
const GUARD_FIELDS = Object.keys(guardSchema.properties).filter((name) => name !== 'getCommonAuthCallback').join(', ');

/** Whether something accepts TCP connections on the port (a refused gateway must not). */
function listening(port: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const GUARD_ECHO = '      - portcullis-guard:\n          - action:\n              application: echo\n';
const PROXY_ECHO = '      - proxy:\n          - action:\n              serviceEndpoint: echo\n              changeOrigin: true\n';
/** The sample gateway.config.yml with proxy moved before the guard in the echo pipeline (the audit's case). */
const proxyFirst = (t: string) => t.replace(GUARD_ECHO + PROXY_ECHO, PROXY_ECHO + GUARD_ECHO);
/** The sample gateway.config.yml with the echo pipeline's guard removed. */
const noGuard = (t: string) => t.replace(GUARD_ECHO + PROXY_ECHO, PROXY_ECHO);

/**
 * A wrong YAML value or environment variable must stop start-up with a message naming the file,
 * the pipeline or settings path and the field, before anything is opened, written or bound: never
 * leave a gateway running that cannot enforce anything.
 */
describe('e2e: a misconfiguration stops start-up', function () {
  this.timeout(30_000);

  /**
   * Starts the real CLI and expects a configuration error: exit code 2, every pattern in the
   * output, no "unexpected failure" or stack trace, and nothing listening (gateway or sample API).
   */
  async function expectStartFailure(dir: string, mentions: RegExp[], extraEnv: NodeJS.ProcessEnv = {}) {
    const env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: dir, ...extraEnv });
    const { code, output } = await startExpectingFailure(env);
    for (const pattern of mentions) expect(output).to.match(pattern);
    expect(output).to.not.contain('ready');
    expect(output).to.not.match(/unexpected failure|POLICY_PARAMS_VALIDATION_FAILED|\n\s+at /);
    expect(code, output).to.equal(2);
    expect(await listening(env.PORT), 'the gateway port must never have been bound').to.equal(false);
    expect(await listening(env.PORTCULLIS_ECHO_PORT), 'the sample API must not start either').to.equal(false);
    return { env, output };
  }

  describe('pipelines (issue 7 item 1)', () => {
    it('refuses proxy before portcullis-guard, naming the pipeline and the position', async () => {
      const dir = configWith('gateway.config.yml', proxyFirst);
      await expectStartFailure(dir, [
        /gateway\.config\.yml: pipelines\.echo\.policies\[0\]: proxy comes before portcullis-guard \(position 1 of 2, the guard is at position 2\)/,
      ]);
    });

    it('refuses a pipeline that proxies with no portcullis-guard at all', async () => {
      const dir = configWith('gateway.config.yml', noGuard);
      await expectStartFailure(dir, [/gateway\.config\.yml: pipelines\.echo: has no portcullis-guard, but proxy \(policies\[0\]\) forwards/, /publicPipelines/]);
    });

    it('starts a pipeline without a guard that ops list in publicPipelines, and it is public on the wire', async () => {
      const dir = configWith('gateway.config.yml', noGuard);
      fs.writeFileSync(path.join(dir, 'system.config.yml'), fs.readFileSync(path.join(dir, 'system.config.yml'), 'utf8').replace('    realm: portcullis\n', '    realm: portcullis\n    publicPipelines: [echo]\n'));
      const gw = await startGateway({ PORTCULLIS_CONFIG_DIR: dir });
      try {
        const open = await fetch(`${gw.baseUrl}/echo/secret`, { method: 'DELETE' });
        expect(open.status).to.equal(200);
        const guarded = await fetch(`${gw.baseUrl}/reports/x`);
        expect(guarded.status).to.equal(401);
        expect(guarded.headers.get('www-authenticate')).to.equal('Bearer realm="portcullis"');
      } finally {
        await gw.stop();
      }
    });

    it('a hot reload that moves proxy before the guard: every request gets 503, nothing is forwarded', async () => {
      const dir = configWith('gateway.config.yml', (t) => t);
      // Express Gateway watches the YAML files unless EG_DISABLE_CONFIG_WATCH is set (to anything non-empty).
      const gw = await startGateway({ PORTCULLIS_CONFIG_DIR: dir, EG_DISABLE_CONFIG_WATCH: '' });
      try {
        const before = await fetch(`${gw.baseUrl}/echo/secret`, { method: 'DELETE' });
        expect(before.status).to.equal(401);
        const file = path.join(dir, 'gateway.config.yml');
        fs.writeFileSync(file, proxyFirst(fs.readFileSync(file, 'utf8')));
        // Wait for the reload (its debounce is Express Gateway's): the answer changes from 401.
        let res = before;
        for (let i = 0; i < 200 && res.status === 401; i++) {
          await new Promise((r) => setTimeout(r, 100));
          res = await fetch(`${gw.baseUrl}/echo/secret`, { method: 'DELETE' });
        }
        expect(res.status, 'the unguarded pipeline must never forward').to.equal(503);
        expect(res.headers.get('retry-after')).to.equal('5');
        expect(res.headers.get('cache-control')).to.equal('no-store');
        expect((await res.json()).error).to.equal('temporarily_unavailable');
        expect(gw.output()).to.match(/refusing the gateway configuration.*pipelines\.echo\.policies\[0\]: proxy comes before portcullis-guard/);
      } finally {
        await gw.stop();
      }
    });

    it('refuses a guard with a condition (non-matching requests would pass unchecked)', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace(GUARD_ECHO, GUARD_ECHO.replace('          - action:\n', "          - condition:\n              name: pathExact\n              path: /echo/private\n            action:\n")));
      await expectStartFailure(dir, [/pipelines\.echo\.policies\[0\]\.portcullis-guard\[0\]\.condition: portcullis-guard must run on every request/]);
    });
  });

  describe('route rules (issue 7 item 2)', () => {
    it('refuses a route permission that no role grants, naming application, route and permission', async () => {
      const dir = configWith('system.config.yml', (t) => t.replace('            permission: echo:read', '            permission: echo:raed'));
      await expectStartFailure(dir, [
        /system\.config\.yml: plugins\.portcullis\.applications\.echo\.routes\[0\]\.permission: route 0 \(\/echo\/\*\*\) of application "echo" needs permission "echo:raed", which no role of "echo" grants/,
        /did you mean "echo:read"\?/,
      ]);
    });
  });

  describe('parameters (issue 7 item 3)', () => {
    it('a guard action with a wrong type', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              leeway: abc'));
      await expectStartFailure(dir, [/gateway\.config\.yml: pipelines\.echo\.policies\[0\]\.portcullis-guard\[0\]\.action\.leeway: must be integer/]);
    });

    it('a guard action with a misspelt parameter names the allowed ones', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              hideCredential: true'));
      await expectStartFailure(dir, [
        new RegExp(`gateway\\.config\\.yml: pipelines\\.echo\\.policies\\[0\\]\\.portcullis-guard\\[0\\]\\.action\\.hideCredential: unknown field \\(did you mean hideCredentials\\?\\); allowed fields: ${GUARD_FIELDS}`),
      ]);
    });

    it('a guard action with a value outside its enum lists the allowed values', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              identityHeaders: [subject, sub]'));
      await expectStartFailure(dir, [/action\.identityHeaders\[1\]: must be one of: application, client-id, subject, roles, permissions, scope/]);
    });

    it('a guard headerPrefix that would strip X-Forwarded-For upstream ("x-") is refused, naming the field', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              headerPrefix: x-'));
      await expectStartFailure(dir, [/action\.headerPrefix: "x-" is too broad/]);
    });

    it('a guard naming an application that is not declared', async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: inventory'));
      await expectStartFailure(dir, [/pipelines\.echo\.policies\[0\]\.portcullis-guard\[0\]\.action\.application: "inventory" is not declared/]);
    });

    it("an Express Gateway policy's parameter: proxy naming a serviceEndpoint that is not declared", async () => {
      const dir = configWith('gateway.config.yml', (t) => t.replace('serviceEndpoint: echo', 'serviceEndpoint: ehco'));
      await expectStartFailure(dir, [/gateway\.config\.yml: pipelines\.echo\.policies\[1\]\.proxy\[0\]\.action\.serviceEndpoint: "ehco" is not declared under serviceEndpoints \(did you mean "echo"\?\); declared: echo/]);
    });

    it("Express Gateway's own sections: system.config.yml without db, gateway.config.yml with a bad port", async () => {
      await expectStartFailure(configWith('system.config.yml', (t) => t.replace(/^db:/m, 'dbx:')), [/invalid system configuration: .*system\.config\.yml: db: missing required field/]);
      await expectStartFailure(configWith('gateway.config.yml', (t) => t.replace('port: ${PORT:-8080}', 'port: eighty')), [/invalid gateway configuration: .*gateway\.config\.yml: http\.port: must be number/]);
    });

    it('plugin settings with a missing audience', async () => {
      const dir = configWith('system.config.yml', (t) => t.replace('audience: urn:portcullis:application:echo', 'audiense: urn:portcullis:application:echo'));
      await expectStartFailure(dir, [/system\.config\.yml: plugins\.portcullis\.applications\.echo\.audience: missing required field/, /audiense: unknown field \(did you mean audience\?\)/]);
    });

    it('plugin settings with a value outside its enum list the allowed values', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      await expectStartFailure(dir, [/system\.config\.yml: plugins\.portcullis\.keys\.algorithm: must be one of: RS256, ES256, EdDSA/], { PORTCULLIS_SIGNING_ALG: 'HS256' });
    });

    it('plugin settings with a realm that a WWW-Authenticate quoted-string cannot carry (RFC 9110 §11.2: no " or \\)', async () => {
      for (const realm of ['\'port"cullis\'', '\'port\\cullis\'', '"caf\u00e9"']) {
        const dir = configWith('system.config.yml', (t) => t.replace('realm: portcullis', `realm: ${realm}`));
        await expectStartFailure(dir, [/system\.config\.yml: plugins\.portcullis\.realm: must match pattern/]);
      }
    });

    it('plugin settings with a Redis URL that is not a URL: named by its settings path, never echoed (it may hold a password)', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      const { output } = await expectStartFailure(dir, [/system\.config\.yml: plugins\.portcullis\.store\.redisUrl: not a valid URL/], {
        PORTCULLIS_STORE: 'redis',
        PORTCULLIS_REDIS_URL: 'redis://:pa ss@exa mple:x',
      });
      expect(output).to.not.include('pa ss');
    });

    it('plugin settings with an issuer that ends in a slash', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      await expectStartFailure(dir, [/plugins\.portcullis\.issuer: must match pattern/], { PORTCULLIS_ISSUER: 'http://localhost:8080/' });
    });
  });

  describe('environment (issue 7 item 4)', () => {
    it('refuses a short PORTCULLIS_SECRET_HASH_KEY before the store is opened: no SQLite file, nothing bound', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      const sqlite = path.join(tempDir(), 'portcullis.db');
      const { output } = await expectStartFailure(dir, [/PORTCULLIS_SECRET_HASH_KEY: must be at least 32 bytes of base64; this value decodes to 16 bytes/], {
        PORTCULLIS_SECRET_HASH_KEY: randomBytes(16).toString('base64'),
        PORTCULLIS_SQLITE_PATH: sqlite,
      });
      expect(fs.existsSync(sqlite), 'no store may be created, so no signing key is written').to.equal(false);
      expect(output).to.not.contain('generated signing key');
    });

    it('a store that cannot be opened (Redis not answering) stops start-up before anything listens, naming it (exit 1)', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      const env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: dir, PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: 'redis://127.0.0.1:1' });
      const { code, output } = await startExpectingFailure(env);
      expect(code, output).to.equal(1);
      expect(output).to.match(/error: cannot open the redis store; nothing was started: /);
      expect(output).to.not.match(/unexpected failure|\n\s+at /);
      expect(output, 'the sample API starts only once the store is open').to.not.contain('sample echo API listening');
      expect(output).to.not.contain('ready');
    });

    it('refuses a PORTCULLIS_SECRET_HASH_KEY that is not strict base64, without echoing it', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      const value = `${randomBytes(32).toString('base64')} oops!`;
      const { output } = await expectStartFailure(dir, [/PORTCULLIS_SECRET_HASH_KEY: is not standard base64/], { PORTCULLIS_SECRET_HASH_KEY: value });
      expect(output).to.not.contain(value.slice(0, 20));
    });

    it('refuses a first-admin password the user registry would refuse, before anything is written', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      const sqlite = path.join(tempDir(), 'portcullis.db');
      await expectStartFailure(dir, [/PORTCULLIS_ADMIN_PASSWORD: password must be 10 to 1024 characters/], {
        PORTCULLIS_ADMIN_USERNAME: 'admin',
        PORTCULLIS_ADMIN_PASSWORD: 'short',
        PORTCULLIS_SQLITE_PATH: sqlite,
      });
      expect(fs.existsSync(sqlite)).to.equal(false);
    });

    it('refuses an unknown PORTCULLIS_LOG_LEVEL, listing the allowed values', async () => {
      const dir = configWith('system.config.yml', (t) => t);
      await expectStartFailure(dir, [/PORTCULLIS_LOG_LEVEL: must be one of: error, warn, info, debug/], { PORTCULLIS_LOG_LEVEL: 'verbose' });
    });
  });
});
