import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { applyEnvironmentDefaults } from '../../src/config/environment';
import { loadSettings } from '../../src/config/load-settings';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, runCli } from '../helpers/gateway-process';

// The real `portcullis` command (bin/portcullis.js -> dist/): API keys and `portcullis explain`.
// It needs `npm run build`.

type Run = { code: number; stdout: string; stderr: string };

function json<T>(run: Run): T {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
  return JSON.parse(run.stdout) as T;
}

function databaseBytes(env: NodeJS.ProcessEnv): string {
  const file = env.PORTCULLIS_SQLITE_PATH!;
  return ['', '-wal', '-shm'].map((s) => file + s).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('');
}

/** A token for `clientId` signed by the CLI's own store's key (the same database and settings). */
async function tokenFor(env: NodeJS.ProcessEnv, clientId: string, roles: string[]): Promise<string> {
  const saved = process.env;
  process.env = { ...env };
  try {
    applyEnvironmentDefaults();
    const p = await Portcullis.open(loadSettings(process.env.PORTCULLIS_CONFIG_DIR), { logger: createLogger('error', () => undefined) });
    try {
      return (await p.tokens.issue({ clientId, subject: clientId, audience: 'urn:portcullis:application:echo', roles })).token;
    } finally {
      await p.close();
    }
  } finally {
    process.env = saved;
  }
}

describe('portcullis CLI: API keys and explain', function () {
  this.timeout(120_000);

  before(function () {
    if (!fs.existsSync(path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('create --api-key prints the key once; show, rotate and revoke; only its hash is stored; audited', async function () {
    const env = await gatewayEnv();
    const cli = (...args: string[]) => runCli(args, env);
    const created = json<{ client_id: string; api_key: string }>(await cli('clients', 'create', '--name', 'Partner', '--application', 'echo', '--role', 'echo-reader', '--api-key', '--json'));
    expect(created.api_key).to.match(/^pck_[A-Za-z0-9_-]{43}$/);
    const id = created.client_id;

    const shown = await cli('clients', 'api-key', 'show', id, '--json');
    expect(json<{ api_key: { issued_at: string } }>(shown).api_key.issued_at).to.match(/^\d{4}-/);
    expect(shown.stdout).to.not.include(created.api_key);
    expect((await cli('clients', 'show', id)).stdout).to.not.include(created.api_key);
    expect(databaseBytes(env)).to.not.include(created.api_key);

    const rotated = json<{ api_key: { api_key: string } }>(await cli('clients', 'api-key', 'rotate', id, '--json'));
    expect(rotated.api_key.api_key).to.match(/^pck_/).and.not.equal(created.api_key);
    const human = await cli('clients', 'api-key', 'issue', id);
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/api_key: +pck_\S+\n\nStore the API key now: it is shown only this once\./);

    expect(json<{ api_key: null }>(await cli('clients', 'api-key', 'revoke', id, '--json')).api_key).to.equal(null);
    expect(json<{ api_key: null }>(await cli('clients', 'api-key', 'show', id, '--json')).api_key).to.equal(null);
    const again = await cli('clients', 'api-key', 'revoke', id, '--json');
    expect(again.code).to.equal(1);
    expect(JSON.parse(again.stderr)).to.deep.equal({ error: 'conflict', message: 'this app has no API key' });

    const pub = await cli('apps', 'create', '--name', 'SPA', '--application', 'echo', '--type', 'public', '--redirect-uri', 'http://127.0.0.1/cb', '--api-key', '--json');
    expect(pub.code).to.equal(1);
    expect(JSON.parse(pub.stderr)).to.include({ error: 'invalid_field', field: 'type' });
    expect(json<unknown[]>(await cli('apps', 'list', '--json'))).to.have.length(1);

    const audit = json<Array<{ action: string }>>(await cli('audit', '--json'));
    expect(audit.map((e) => e.action).filter((a) => a.startsWith('app.api-key'))).to.deep.equal(['app.api-key.revoke', 'app.api-key.rotate', 'app.api-key.rotate', 'app.api-key.issue']);
  });

  it('explain: an allowed and a refused request, as text and --json, with the pipeline\'s guard parameters', async function () {
    // The echo pipeline's guard requires API keys here: explain must check what that guard checks.
    const config = configWith('gateway.config.yml', (t) => t.replace(/(\n\s+)application: echo\n/, '$1application: echo$1apiKey: required\n'));
    const env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: config });
    const cli = (...args: string[]) => runCli(args, env);
    const created = json<{ client_id: string; api_key: string }>(await cli('clients', 'create', '--name', 'Partner', '--application', 'echo', '--role', 'echo-reader', '--api-key', '--json'));
    const token = await tokenFor(env, created.client_id, ['echo-reader']);

    const allowed = await cli('explain', '--token', token, '--path', '/echo/items', '--api-key', created.api_key);
    expect(allowed.code, allowed.stderr).to.equal(0);
    const lines = allowed.stdout.trim().split('\n');
    expect(lines[0]).to.equal('GET /echo/items at echo: ALLOWED');
    expect(lines).to.include('the guard answers: allowed');
    expect(allowed.stdout).to.match(/pass {2}api key +the x-api-key key is the current key of client pcc_/);
    expect(allowed.stdout).to.include('(checked with the guard of pipeline echo)');

    const refused = json<{ result: string; guard: { result: string; reason: string }; steps: Array<{ check: string; result: string; code?: string; reason: string }> }>(
      await cli('explain', '--token', token, '--method', 'DELETE', '--path', '/echo/items', '--json'),
    );
    expect(refused.result).to.equal('refused');
    expect(refused.guard).to.include({ result: 'refused', reason: 'api_key_missing' });
    const failed = refused.steps.filter((s) => s.result === 'fail');
    expect(failed.map((s) => [s.check, s.code])).to.deep.equal([['api key', 'api_key_missing'], ['permission', 'insufficient_scope']]);
    expect(failed[1].reason).to.equal('needs the echo:write permission; granted: echo:read; by roles echo-reader: echo:read');

    const text = await cli('explain', '--token', token, '--method', 'DELETE', '--path', '/echo/items');
    expect(text.stdout).to.match(/^DELETE \/echo\/items at echo: REFUSED\n/);
    expect(text.stdout).to.match(/FAIL {2}permission +needs the echo:write permission; .* \[insufficient_scope\]/);

    const unknownApp = await cli('explain', '--token', 'not-a-jwt', '--path', '/echo', '--json');
    expect(unknownApp.code).to.equal(1);
    expect(JSON.parse(unknownApp.stderr)).to.include({ error: 'invalid_field', field: 'application' });
  });
});
