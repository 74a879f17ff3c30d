import { expect } from 'chai';
import { knownPolicies } from '../../src/startup/load-gateway-config';
import { checkPipelines, HARMLESS_BEFORE_GUARD } from '../../src/startup/pipeline-check';
import { resolveSettings } from '../../src/config/settings';
import guardSchema from '../../src/config/guard-params.schema.json';

/** The guard parameters a message lists as allowed: the schema's, less the one Express Gateway adds. */
const GUARD_FIELDS = Object.keys(guardSchema.properties).filter((name) => name !== 'getCommonAuthCallback').join(', ');

const FILES = { gateway: 'config/gateway.config.yml', system: 'config/system.config.yml' };
const app = (name: string) => ({ audience: `urn:portcullis:application:${name}`, roles: { reader: [`${name}:read`] }, routes: [{ path: `/${name}/**`, permission: `${name}:read` }] });
const settings = (extra: Record<string, unknown> = {}) => resolveSettings({ issuer: 'https://auth.example.com', applications: { echo: app('echo'), reports: app('reports') }, ...extra }, '/srv');

const guard = (action: Record<string, unknown> = { application: 'echo' }, extra: Record<string, unknown> = {}) => ({ 'portcullis-guard': [{ action, ...extra }] });
const proxy = { proxy: [{ action: { serviceEndpoint: 'echo' } }] };
const log = { log: [{ action: { message: 'request' } }] };

/** A gateway.config.yml with the given pipelines (each on its own apiEndpoint unless it names one). */
function gateway(pipelines: Record<string, unknown[]>, endpoints?: Record<string, string[]>) {
  return {
    apiEndpoints: { echo: { paths: ['/echo/*'] }, reports: { paths: ['/reports/*'] }, other: { paths: ['/other'] } },
    serviceEndpoints: { echo: { url: 'http://127.0.0.1:8081' } },
    policies: ['cors', 'log', 'rate-limit', 'headers', 'expression', 'terminate', 'request-transformer', 'response-transformer', 'key-auth', 'portcullis-guard', 'proxy', 'custom'],
    pipelines: Object.fromEntries(Object.entries(pipelines).map(([name, policies]) => [name, { apiEndpoints: endpoints?.[name] ?? [name], policies }])),
  };
}

const check = (g: Record<string, unknown>, s = settings()) => checkPipelines(g, s, FILES);

describe('pipeline check (src/startup/pipeline-check.ts)', () => {
  it('accepts the guard before proxy, with harmless policies before it', () => {
    expect(check(gateway({ echo: [{ cors: [{ action: { origin: '*' } }] }, log, { 'rate-limit': [] }, guard(), proxy] }))).to.deep.equal([]);
    expect(Object.keys(HARMLESS_BEFORE_GUARD)).to.deep.equal(['cors', 'log', 'rate-limit']);
  });

  it('refuses proxy before the guard, naming file, pipeline and position', () => {
    expect(check(gateway({ echo: [proxy, guard()] }))).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0]: proxy comes before portcullis-guard (position 1 of 2, the guard is at position 2), so it would run for unauthenticated requests; only cors, log, rate-limit may come before the guard',
    ]);
  });

  for (const policy of ['headers', 'expression', 'terminate', 'request-transformer', 'response-transformer', 'key-auth', 'custom']) {
    it(`refuses ${policy} before the guard (not known to be harmless)`, () => {
      const problems = check(gateway({ echo: [log, { [policy]: [{ action: {} }] }, guard(), proxy] })).filter((p) => p.includes('comes before'));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain(`pipelines.echo.policies[1]: ${policy} comes before portcullis-guard (position 2 of 4, the guard is at position 3)`);
    });
  }

  it('accepts anything after the guard', () => {
    expect(check(gateway({ echo: [guard(), { headers: [{ action: { forwardHeaders: { 'x-a': 'b' } } }] }, { expression: [{ action: { jscode: 'req.x = 1' } }] }, { terminate: [] }, proxy] }))).to.deep.equal([]);
  });

  it('refuses a pipeline that proxies with no guard, unless publicPipelines names it', () => {
    const g = gateway({ echo: [guard(), proxy], reports: [{ cors: [] }, proxy] });
    const problems = check(g);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^config\/gateway\.config\.yml: pipelines\.reports: has no portcullis-guard, but proxy \(policies\[1\]\) forwards/);
    expect(problems[0]).to.contain('plugins.portcullis.publicPipelines of config/system.config.yml');
    expect(check(g, settings({ publicPipelines: ['reports'] }))).to.deep.equal([]);
  });

  it('accepts a pipeline without guard that neither forwards nor answers', () => {
    expect(check(gateway({ echo: [log] }))).to.deep.equal([]);
  });

  it('refuses a publicPipelines entry that names no pipeline (a typo), suggesting the closest', () => {
    const problems = check(gateway({ echo: [guard(), proxy], reports: [proxy] }), settings({ publicPipelines: ['reprots'] }));
    expect(problems).to.include('config/system.config.yml: plugins.portcullis.publicPipelines[0]: no pipeline "reprots" in config/gateway.config.yml (did you mean "reports"?); pipelines: echo, reports');
  });

  it('refuses a public pipeline that also has a guard (one of the two is a mistake)', () => {
    const problems = check(gateway({ echo: [guard(), proxy] }), settings({ publicPipelines: ['echo'] }));
    expect(problems).to.deep.equal([
      'config/system.config.yml: plugins.portcullis.publicPipelines: "echo" is listed as public but has a portcullis-guard (policies[0] of config/gateway.config.yml); remove one of the two',
    ]);
  });

  it('refuses a guard with a condition, but not Express Gateway\'s default "always"', () => {
    const conditional = check(gateway({ echo: [guard({ application: 'echo' }, { condition: { name: 'pathExact', path: '/echo/private' } }), proxy] }));
    expect(conditional).to.have.length(1);
    expect(conditional[0]).to.match(/pipelines\.echo\.policies\[0\]\.portcullis-guard\[0\]\.condition: portcullis-guard must run on every request/);
    expect(check(gateway({ echo: [guard({ application: 'echo' }, { condition: { name: 'always' } }), proxy] }))).to.deep.equal([]);
  });

  it('refuses a second guard in one pipeline (two steps, or two entries)', () => {
    const twoSteps = check(gateway({ echo: [{ 'portcullis-guard': [{ action: { application: 'echo' } }, { action: { application: 'echo', leeway: 0 } }] }, proxy] }));
    expect(twoSteps).to.have.length(1);
    expect(twoSteps[0]).to.contain('pipelines.echo.policies[0].portcullis-guard[1]: a second portcullis-guard in pipeline "echo" (the first is policies[0])');
    const twoEntries = check(gateway({ echo: [guard(), guard(), proxy] }));
    expect(twoEntries[0]).to.contain('pipelines.echo.policies[1].portcullis-guard[0]: a second portcullis-guard');
  });

  it('validates each guard action against its schema: unknown field with the allowed ones, type, enum values', () => {
    const problems = check(gateway({ echo: [guard({ application: 'echo', hideCredential: true, leeway: 'abc', identityHeaders: ['subject', 'sub'] }), proxy] }));
    const at = 'config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].action';
    expect(problems).to.deep.equal([
      `${at}.hideCredential: unknown field (did you mean hideCredentials?); allowed fields: ${GUARD_FIELDS}`,
      `${at}.leeway: must be integer`,
      `${at}.identityHeaders[1]: must be one of: application, client-id, subject, roles, permissions, scope`,
    ]);
  });

  it('refuses a guard with no action, or an application that is not declared', () => {
    expect(check(gateway({ echo: [{ 'portcullis-guard': [{}] }, proxy] }))).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].action.application: missing required field',
    ]);
    expect(check(gateway({ echo: [{ 'portcullis-guard': null }, proxy] }))[0]).to.contain('pipelines.echo.policies[0].portcullis-guard: needs a step with action.application (one of: echo, reports)');
    expect(check(gateway({ echo: [guard({ application: 'ecoh' }), proxy] }))).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].action.application: "ecoh" is not declared in plugins.portcullis.applications (did you mean "echo"?); declared: echo, reports',
    ]);
  });

  it('refuses a guard whose application has no route rule that a path of the pipeline could match (the wrong application)', () => {
    expect(check(gateway({ echo: [guard({ application: 'reports' }), proxy] }))).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].action.application: no route rule of application "reports" (/reports/**) can match a path of apiEndpoints echo (/echo/*), so the guard would refuse every request; is it the right application?',
    ]);
    const everywhere = settings({ applications: { echo: app('echo'), reports: { ...app('reports'), routes: [{ path: '/**', permission: 'reports:read' }] } } });
    expect(check(gateway({ echo: [guard({ application: 'reports' }), proxy] }), everywhere)).to.deep.equal([]);
    const prefixed = settings({ applications: { echo: { ...app('echo'), routes: [{ path: '/ECHO/v1/*', permission: 'echo:read' }] }, reports: app('reports') } });
    expect(check(gateway({ echo: [guard(), proxy] }), prefixed), 'a rule below the endpoint path can match').to.deep.equal([]);
    const g = gateway({ echo: [guard({ application: 'reports' }), proxy] });
    (g.apiEndpoints as Record<string, unknown>).echo = { host: 'echo.example.com' };
    expect(check(g), 'an endpoint without paths matches every path').to.deep.equal([]);
  });

  it('refuses a required claim that Portcullis never issues (the guard would refuse every token)', () => {
    expect(check(gateway({ echo: [guard({ application: 'echo', requiredClaims: ['auth_time', 'email'] }), proxy] }))).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].action.requiredClaims[1]: Portcullis never puts "email" in an access token, so the guard would refuse every request; must be one of: iss, sub, aud, iat, exp, jti, client_id, roles, scope, auth_time',
    ]);
  });

  it('refuses a headerPrefix that would strip headers proxies and HTTP rely on (x-, x-forwarded-, content-)', () => {
    for (const headerPrefix of ['x-', 'X-Forwarded-', 'content-', 'x-real-']) {
      const problems = check(gateway({ echo: [guard({ application: 'echo', headerPrefix }), proxy] }));
      expect(problems, headerPrefix).to.have.length(1);
      expect(problems[0]).to.match(/^config\/gateway\.config\.yml: pipelines\.echo\.policies\[0\]\.portcullis-guard\[0\]\.action\.headerPrefix: /);
      expect(problems[0]).to.include(JSON.stringify(headerPrefix));
    }
    expect(check(gateway({ echo: [guard({ application: 'echo', headerPrefix: 'X-Acme-Identity-' }), proxy] }))).to.deep.equal([]);
  });

  it('refuses a step field other than action and condition (a misspelt action is silently empty)', () => {
    const problems = check(gateway({ echo: [{ 'portcullis-guard': [{ acton: { application: 'echo' } }] }, proxy] }));
    expect(problems[0]).to.equal('config/gateway.config.yml: pipelines.echo.policies[0].portcullis-guard[0].acton: unknown field; allowed fields: action');
  });

  it('refuses missing or undeclared apiEndpoints, and one apiEndpoint served by two pipelines', () => {
    const g = gateway({ echo: [guard(), proxy], shadow: [log], none: [log], typo: [log] }, { shadow: ['echo'], none: [], typo: ['ehco'] });
    expect(check(g)).to.deep.equal([
      'config/gateway.config.yml: pipelines.shadow.apiEndpoints[0]: "echo" is already served by pipeline "echo"; Express Gateway would silently use only one of them',
      'config/gateway.config.yml: pipelines.none.apiEndpoints: missing: the pipeline serves nothing; name one or more of the apiEndpoints: echo, reports, other',
      'config/gateway.config.yml: pipelines.typo.apiEndpoints[0]: "ehco" is not declared under apiEndpoints (declared: echo, reports, other)',
    ]);
  });

  it('refuses a policy that is not listed under policies, and an entry that is not one policy', () => {
    const g = { ...gateway({ echo: [guard(), proxy, { a: [], b: [] }] }), policies: ['portcullis-guard'] };
    expect(check(g)).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[1]: policy "proxy" is not listed under policies (listed: portcullis-guard)',
      'config/gateway.config.yml: pipelines.echo.policies[2]: must be one policy name with its steps, e.g. "- proxy: [{action: {serviceEndpoint: echo}}]"',
    ]);
  });

  it('refuses a listed policy that nothing provides, when only the Portcullis plugin is loaded', () => {
    const known = knownPolicies({ portcullis: {} });
    expect([...known!]).to.include.members(['proxy', 'cors', 'rate-limit', 'portcullis-guard']);
    expect(knownPolicies({ portcullis: {}, other: {} }), 'another plugin may register more').to.equal(undefined);
    const g = { ...gateway({ echo: [guard(), proxy] }), policies: ['portcullis-guard', 'proxxy', 'proxy'] };
    expect(checkPipelines(g, settings(), FILES, known)).to.deep.equal([
      `config/gateway.config.yml: policies[1]: unknown policy "proxxy" (did you mean "proxy"?); known: ${[...known!].sort().join(', ')}`,
    ]);
  });

  it("checks Express Gateway's own policies' parameters too, and proxy's serviceEndpoint", () => {
    const g = gateway({ echo: [{ log: [] }, { 'rate-limit': [{ action: { max: 'many' } }] }, guard(), { terminate: [{ action: { statusCode: 'teapot' } }] }, { proxy: [{ action: { serviceEndpoint: 'ehco' } }] }] });
    expect(check(g)).to.deep.equal([
      'config/gateway.config.yml: pipelines.echo.policies[0].log[0].action.message: missing required field',
      'config/gateway.config.yml: pipelines.echo.policies[3].terminate[0].action.statusCode: must be number',
      'config/gateway.config.yml: pipelines.echo.policies[4].proxy[0].action.serviceEndpoint: "ehco" is not declared under serviceEndpoints (did you mean "echo"?); declared: echo',
    ]);
  });
});
