import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, runCli } from '../helpers/gateway-process';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'portcullis.js');

interface Streams {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The sample configuration with the access log on (and `destination` when given). */
const accessLog = (destination?: string) =>
  configWith('system.config.yml', (t) =>
    t.replace('    realm: portcullis\n', `    realm: portcullis\n    accessLog:\n      enabled: true\n${destination ? `      destination: ${destination}\n` : ''}`),
  );

/**
 * Runs `portcullis start --sample-upstream` (and `args`) with its two streams apart; once ready,
 * makes one guarded request, then stops it with SIGTERM. A start that fails resolves at its exit.
 */
function startAndStop(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Streams> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'start', '--sample-upstream', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Streams = { code: null, stdout: '', stderr: '' };
    let requested = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => {
      out.stderr += d;
      if (!requested && / ready\n/.test(out.stderr)) {
        requested = true;
        void fetch(`http://127.0.0.1:${env.PORT}/echo/hello`).finally(() => child.kill('SIGTERM'));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ ...out, code });
    });
  });
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
const EG_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z \[EG:gateway\] \u001b\[32minfo\u001b\[39m: gateway http server listening on /m;

/** docs/ops-guide.md#logging, "Where each log goes": each row, checked on a real gateway. */
describe('docs: where each log goes (docs/ops-guide.md#logging)', function () {
  this.timeout(90_000);

  it('with the access log on: logs on standard error, the ready line and the access log on standard output', async () => {
    const run = await startAndStop(await gatewayEnv({ PORTCULLIS_LOG_LEVEL: 'info', PORTCULLIS_CONFIG_DIR: accessLog() }), ['--json']);
    expect(run.code, run.stderr).to.equal(0);
    // Standard output: the ready line, then only access log lines.
    const [ready, ...access] = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ready).to.include({ status: 'ready' });
    expect(access.map((l) => [l.method, l.path, l.status])).to.deep.equal([['GET', '/echo/hello', 401]]);
    // Standard error: Portcullis's JSON lines, Express Gateway's coloured text, the start-up lines.
    const messages = jsonLines(run.stderr).map((l) => l.message);
    expect(messages).to.include.members(['generated signing key', 'metrics listening', 'shutting down', 'shutdown complete']);
    expect(run.stderr).to.match(EG_LINE);
    expect(run.stderr).to.match(/^sample echo API listening on 127\.0\.0\.1:\d+$/m);
    expect(run.stderr).to.match(/^Prometheus metrics at http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
    expect(run.stderr).to.match(/^Portcullis issuer http:\/\/localhost:\d+ ready$/m);
    expect(run.stdout).to.not.contain('[EG:');
  });

  it('with the access log off and no --json, standard output stays empty', async () => {
    const run = await startAndStop(await gatewayEnv({ PORTCULLIS_LOG_LEVEL: 'info' }));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.match(EG_LINE).and.to.contain(' ready\n');
  });

  it('LOG_LEVEL=warn hides Express Gateway\'s info lines; accessLog.destination: stderr moves the access log', async () => {
    const run = await startAndStop(await gatewayEnv({ PORTCULLIS_LOG_LEVEL: 'info', LOG_LEVEL: 'warn', PORTCULLIS_CONFIG_DIR: accessLog('stderr') }));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.not.contain('[EG:');
    expect(jsonLines(run.stderr).filter((l) => l.path === '/echo/hello').map((l) => l.status)).to.deep.equal([401]);
    // PORTCULLIS_LOG_LEVEL, not LOG_LEVEL, sets Portcullis's own lines.
    expect(jsonLines(run.stderr).map((l) => l.message)).to.include('generated signing key');
  });

  it('a start-up failure goes to standard error (as JSON with --json); a CLI command\'s result to standard output, its error to standard error', async () => {
    const env = await gatewayEnv({ PORTCULLIS_LOG_LEVEL: 'loud' });
    const plain = await startAndStop(env);
    expect(plain.code).to.equal(2);
    expect(plain.stdout).to.equal('');
    expect(plain.stderr).to.match(/^error: invalid environment: PORTCULLIS_LOG_LEVEL/);
    const json = await startAndStop(env, ['--json']);
    expect(json.stdout).to.equal('');
    expect(JSON.parse(json.stderr)).to.include({ error: 'invalid_settings' });

    const cli = await gatewayEnv();
    const listed = await runCli(['clients', 'list', '--json'], cli);
    expect([listed.stdout, listed.stderr]).to.deep.equal(['[]\n', '']);
    const refused = await runCli(['clients', 'show', 'pcc_nosuchclient'], cli);
    expect(refused.stdout).to.equal('');
    expect(refused.stderr).to.match(/^error: client "pcc_nosuchclient" does not exist/);
  });
});
