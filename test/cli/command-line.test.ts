import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { gatewayEnv, runCli, tempDir } from '../helpers/gateway-process';

// The command line itself, over the real binary (dist/: `npm run build` first): --version, the
// help of `clients create`, and what a command loads (bench/cli/ shows what that costs).

const ROOT = path.resolve(__dirname, '..', '..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs the CLI with a preload that writes, at exit, the path of every module the process loaded. */
async function loadedModules(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; modules: string[] }> {
  const dir = tempDir();
  const preload = path.join(dir, 'record-modules.js');
  const out = path.join(dir, 'modules.json');
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const run = await runCli(args, { ...env, NODE_OPTIONS: `--require ${preload}` });
  return { code: run.code, stderr: run.stderr, modules: JSON.parse(fs.readFileSync(out, 'utf8')) as string[] };
}

/** The packages (`redis`, `@redis/client`, `ajv`) among module paths. */
const packagesOf = (modules: string[]) => new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []));

describe('the portcullis command line (src/cli/main.ts)', function () {
  this.timeout(60_000);

  it('--version and -V print the package version', async function () {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag], { ...process.env, PORTCULLIS_CONFIG_DIR: tempDir() });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal(`${VERSION}\n`);
    }
    const help = await runCli(['--help'], process.env);
    expect(help.stdout).to.match(/-V, --version +print the version/);
  });

  it('clients create --help says what each option accepts, the configured applications and roles, an example, the output and the exit codes', async function () {
    const run = await runCli(['clients', 'create', '--help'], await gatewayEnv());
    expect(run.code, run.stderr).to.equal(0);
    const text = run.stdout;
    expect(text).to.match(/--name +1 to 255 characters/);
    expect(text).to.match(/--application +one application declared in the configuration/);
    expect(text).to.match(/--role +a role of that application; repeat for several/);
    expect(text).to.match(/--admin-role +admin or super-admin/);
    // The sample configuration's applications, each with its roles.
    expect(text).to.match(/^ {2}echo {5}echo-reader, echo-writer$/m);
    expect(text).to.match(/^ {2}reports {2}reports-reader$/m);
    expect(text).to.include('portcullis clients create --name "Acme sync" --application echo --role echo-reader --json');
    expect(text).to.match(/shown only this once/);
    expect(text).to.match(/Exit codes: 0 created; 1 refused/);
    const apps = await runCli(['apps', 'create', '--help'], await gatewayEnv());
    expect(apps.stdout).to.match(/--redirect-uri +required for web and public apps/);
  });

  it('asking for help never fails: a configuration that cannot be read is only mentioned', async function () {
    const run = await runCli(['clients', 'create', '--help'], { ...process.env, PORTCULLIS_CONFIG_DIR: tempDir() });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Applications and roles: the configuration cannot be read \(cannot read .*system\.config\.yml\)/);
  });

  it('a command over SQLite loads neither Express Gateway, nor Express, nor the Redis client, nor the schema compiler', async function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'config', 'settings-validate.js'))) {
      throw new Error('dist/config/settings-validate.js is missing: run `npm run build` (tsc alone does not write it)');
    }
    const env = await gatewayEnv();
    const { code, stderr, modules } = await loadedModules(['clients', 'list', '--json'], env);
    expect(code, stderr).to.equal(0);
    const packages = packagesOf(modules);
    expect(packages, 'the store it uses').to.include('better-sqlite3');
    // Nor what only ending someone's access needs (session cookies). lru-cache stays: the client
    // registry's change-fed caches (the token endpoint's) are built with it.
    for (const unneeded of ['express-gateway', 'express', 'redis', '@redis/client', 'swagger-parser', '@apidevtools/swagger-parser', 'cookie']) {
      expect(packages, unneeded).to.not.include(unneeded);
    }
    // The settings are validated by the code `npm run build` compiled (only Ajv's small runtime helpers).
    const ajv = modules.filter((m) => m.includes('/node_modules/ajv/'));
    expect(ajv.filter((m) => !m.includes('/node_modules/ajv/dist/runtime/')), 'Ajv itself').to.deep.equal([]);
    expect(modules.some((m) => m.endsWith(path.join('dist', 'config', 'settings-validate.js')))).to.equal(true);
    // Only its own command group is built: not the users, keys or store commands.
    const cliFiles = modules.filter((m) => m.includes(`${path.sep}dist${path.sep}cli${path.sep}`)).map((m) => path.basename(m));
    expect(cliFiles).to.include('clients-commands.js');
    for (const other of ['users-commands.js', 'keys-commands.js', 'store-commands.js', 'roles-commands.js', 'explain-command.js']) expect(cliFiles).to.not.include(other);
  });

  it('the commands that read or change the store load no token signing (jose), no metrics (prom-client), no trusted issuers, no Express', async function () {
    const env = await gatewayEnv();
    // The first command on a new store still makes its signing key (jose), as the server would.
    const created = await runCli(['clients', 'create', '--name', 'c', '--application', 'echo', '--role', 'echo-reader', '--json'], env);
    expect(created.code, created.stderr).to.equal(0);
    const clientId = (JSON.parse(created.stdout) as { client_id: string }).client_id;
    const commands = [
      ['clients', 'list', '--json'], ['clients', 'show', clientId, '--json'], ['users', 'list', '--json'], ['roles', 'list', 'echo', '--json'],
      ['audit', '--json'], ['keys', 'list', '--json'], ['routes', '--json'], ['clients', 'disable', clientId, '--json'],
    ];
    for (const args of commands) {
      const { code, stderr, modules } = await loadedModules(args, env);
      expect(code, `${args.join(' ')}: ${stderr}`).to.equal(0);
      const packages = packagesOf(modules);
      for (const unneeded of ['jose', 'prom-client', '@opentelemetry/api', 'jwks-rsa', 'express', 'express-gateway']) {
        expect(packages, `${args.join(' ')} loads ${unneeded}`).to.not.include(unneeded);
      }
    }
    // A command that signs does load it, and the keys it made are listed without it.
    const rotated = await loadedModules(['keys', 'rotate', '--json'], env);
    expect(rotated.code, rotated.stderr).to.equal(0);
    expect(packagesOf(rotated.modules)).to.include('jose');
    const keys = await runCli(['keys', 'list', '--json'], env);
    expect((JSON.parse(keys.stdout) as unknown[]).length).to.equal(2);
  });

  it('--help and --version load no store and no runtime', async function () {
    for (const args of [['--help'], ['--version'], ['clients', '--help']]) {
      const { code, modules } = await loadedModules(args, { ...process.env, PORTCULLIS_CONFIG_DIR: tempDir() });
      expect(code).to.equal(0);
      expect([...packagesOf(modules)], args.join(' ')).to.deep.equal(['commander']);
    }
  });
});
