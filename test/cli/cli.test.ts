import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ClientRegistry } from '../../src/clients/client-registry';
import { loadSecretHashKey } from '../../src/clients/secret-hash-key';
import type { StoredSigningKey } from '../../src/keys/signing-key';
import { SqliteStore } from '../../src/store/sqlite-store';
import { testSettings } from '../helpers/test-portcullis';
import { gatewayEnv, runCli, tempDir } from '../helpers/gateway-process';

// The real `portcullis` command (bin/portcullis.js -> dist/), as an operator runs it. It needs
// `npm run build` (done by `npm test`'s pretest).

type Run = { code: number; stdout: string; stderr: string };

interface ClientJson {
  client_id: string;
  client_secret?: string;
  name: string;
  description?: string;
  type: string;
  application: string;
  roles: string[];
  status: string;
  created_at: string;
  updated_at: string;
  secret_issued_at?: string;
}

interface KeyJson {
  kid: string;
  alg: string;
  created_at: string;
  retired_at?: string;
  publish_until?: string;
  active: boolean;
  public_jwk: Record<string, unknown>;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

function json<T>(run: Run): T {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/** A failed run with --json: non-zero, nothing on stdout, one JSON error object on stderr. */
function jsonError(run: Run): { error: string; message: string; field?: string } {
  expect(run.code, `exit code; stdout: ${run.stdout}`).to.not.equal(0);
  expect(run.stdout).to.equal('');
  let parsed: { error: string; message: string; field?: string };
  try {
    parsed = JSON.parse(run.stderr.trim());
  } catch {
    throw new Error(`stderr is not one JSON object: ${run.stderr}`);
  }
  expect(parsed.error).to.be.a('string').and.not.equal('');
  expect(parsed.message).to.be.a('string').and.not.equal('');
  expect(Object.keys(parsed).every((k) => ['error', 'message', 'field'].includes(k)), JSON.stringify(parsed)).to.equal(true);
  return parsed;
}

/** Opens the CLI's SQLite file directly (after the CLI exited) to check what really is stored. */
async function withStore<T>(env: NodeJS.ProcessEnv, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ path: env.PORTCULLIS_SQLITE_PATH! });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every byte the SQLite database has on disk (main file, WAL, shared memory). */
function databaseBytes(env: NodeJS.ProcessEnv): string {
  const file = env.PORTCULLIS_SQLITE_PATH!;
  return ['', '-wal', '-shm']
    .map((suffix) => file + suffix)
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');
}

describe('portcullis CLI (src/cli/*)', function () {
  this.timeout(120_000);

  before(function () {
    const bin = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first');
  });

  describe('clients', function () {
    let env: NodeJS.ProcessEnv;
    const cli = (...args: string[]) => runCli(args, env);

    beforeEach(async function () {
      env = await gatewayEnv();
    });

    it('create --json prints client_id and client_secret once; show and list never do', async function () {
      const created = json<ClientJson>(await cli('clients', 'create', '--name', 'Nightly report', '--application', 'echo', '--role', 'echo-reader', '--description', 'exports', '--json'));
      expect(created.client_id).to.match(/^pcc_[A-Za-z0-9_-]{22}$/);
      expect(created.client_secret).to.match(/^pcs_[A-Za-z0-9_-]{43}$/);
      expect(created).to.include({ name: 'Nightly report', application: 'echo', type: 'service', status: 'active', description: 'exports' });
      expect(created.roles).to.deep.equal(['echo-reader']);
      expect(new Date(created.created_at).getTime()).to.be.closeTo(Date.now(), 60_000);
      const secret = created.client_secret!;

      const shown = await cli('clients', 'show', created.client_id, '--json');
      const view = json<ClientJson>(shown);
      expect(view.client_id).to.equal(created.client_id);
      expect(view).to.not.have.property('client_secret');
      expect(shown.stdout).to.not.include(secret);
      expect(shown.stdout).to.not.match(/secretHash|secret_hash|client_secret/);

      const listed = await cli('clients', 'list', '--json');
      const list = json<ClientJson[]>(listed);
      expect(list.map((c) => c.client_id)).to.deep.equal([created.client_id]);
      expect(listed.stdout).to.not.include(secret);
      expect(listed.stdout).to.not.match(/secretHash|secret_hash|client_secret/);

      // Human-readable output: show and list do not print it either.
      for (const run of [await cli('clients', 'show', created.client_id), await cli('clients', 'list')]) {
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include(created.client_id);
        expect(run.stdout).to.not.include(secret);
      }

      // The database holds only the keyed hash, never the secret.
      expect(databaseBytes(env)).to.not.include(secret);
      await withStore(env, async (store) => {
        const raw = await store.get<Record<string, unknown>>('clients', created.client_id);
        expect(raw!.value.secretHash).to.be.a('string');
        expect(JSON.stringify(raw)).to.not.include(secret);
      });
    });

    it('create without --json prints the secret with a warning that it is shown only once', async function () {
      const run = await cli('clients', 'create', '--name', 'human', '--application', 'reports', '--role', 'reports-reader');
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/client_id:\s+pcc_/);
      expect(run.stdout).to.match(/client_secret: pcs_[A-Za-z0-9_-]{43}/);
      expect(run.stdout).to.match(/only this once/);
    });

    it('the created secret really authenticates against the same store', async function () {
      const created = json<ClientJson>(await cli('clients', 'create', '--name', 'auth', '--application', 'echo', '--json'));
      await withStore(env, async (store) => {
        const registry = new ClientRegistry(store, testSettings().applications, await loadSecretHashKey(store, ''));
        expect(await registry.authenticate(created.client_id, created.client_secret!)).to.have.property('clientId', created.client_id);
      });
    });

    it('roles replaces the roles (several, duplicates collapsed, none removes all)', async function () {
      const { client_id: id } = json<ClientJson>(await cli('clients', 'create', '--name', 'r', '--application', 'echo', '--role', 'echo-reader', '--json'));
      const updated = json<ClientJson>(await cli('clients', 'roles', id, '--role', 'echo-writer', '--role', 'echo-reader', '--role', 'echo-writer', '--json'));
      expect(updated.roles).to.deep.equal(['echo-writer', 'echo-reader']);
      expect(updated).to.not.have.property('client_secret');
      expect(json<ClientJson>(await cli('clients', 'show', id, '--json')).roles).to.deep.equal(['echo-writer', 'echo-reader']);
      expect(json<ClientJson>(await cli('clients', 'roles', id, '--json')).roles).to.deep.equal([]);
      expect(json<ClientJson>(await cli('clients', 'show', id, '--json')).roles).to.deep.equal([]);
    });

    it('disable and enable change the status', async function () {
      const { client_id: id, client_secret: secret } = json<ClientJson>(await cli('clients', 'create', '--name', 'd', '--application', 'echo', '--json'));
      expect(json<ClientJson>(await cli('clients', 'disable', id, '--json')).status).to.equal('disabled');
      expect(json<ClientJson>(await cli('clients', 'show', id, '--json')).status).to.equal('disabled');
      await withStore(env, async (store) => {
        const registry = new ClientRegistry(store, testSettings().applications, await loadSecretHashKey(store, ''));
        expect(await registry.authenticate(id, secret!), 'a disabled client cannot authenticate').to.equal(undefined);
      });
      expect(json<ClientJson>(await cli('clients', 'enable', id, '--json')).status).to.equal('active');
      expect(json<ClientJson>(await cli('clients', 'show', id, '--json')).status).to.equal('active');
      const human = await cli('clients', 'disable', id);
      expect(human.code).to.equal(0);
      expect(human.stdout).to.match(/status:\s+disabled/);
    });

    it('rotate-secret --json prints a new secret, and the old one stops working', async function () {
      const created = json<ClientJson>(await cli('clients', 'create', '--name', 'rot', '--application', 'echo', '--json'));
      const rotated = json<ClientJson>(await cli('clients', 'rotate-secret', created.client_id, '--json'));
      expect(rotated.client_id).to.equal(created.client_id);
      expect(rotated.client_secret).to.match(/^pcs_[A-Za-z0-9_-]{43}$/);
      expect(rotated.client_secret).to.not.equal(created.client_secret);
      const shown = await cli('clients', 'show', created.client_id, '--json');
      expect(shown.stdout).to.not.include(rotated.client_secret!);
      expect(databaseBytes(env)).to.not.include(rotated.client_secret!);
      await withStore(env, async (store) => {
        const registry = new ClientRegistry(store, testSettings().applications, await loadSecretHashKey(store, ''));
        expect(await registry.authenticate(created.client_id, created.client_secret!)).to.equal(undefined);
        expect(await registry.authenticate(created.client_id, rotated.client_secret!)).to.have.property('clientId', created.client_id);
      });
    });

    describe('bad input', function () {
      it('unknown application: non-zero exit, clear message; with --json an error object with field application', async function () {
        const human = await cli('clients', 'create', '--name', 'x', '--application', 'payroll');
        expect(human.code).to.equal(1);
        expect(human.stderr).to.match(/^error: unknown application "payroll"/);
        expect(human.stderr).to.include('echo');
        const err = jsonError(await cli('clients', 'create', '--name', 'x', '--application', 'payroll', '--json'));
        expect(err).to.include({ error: 'invalid_field', field: 'application' });
        expect(err.message).to.include('payroll');
        expect(json<ClientJson[]>(await cli('clients', 'list', '--json'))).to.deep.equal([]);
      });

      it('unknown role: field roles', async function () {
        const human = await cli('clients', 'create', '--name', 'x', '--application', 'echo', '--role', 'reports-reader');
        expect(human.code).to.equal(1);
        expect(human.stderr).to.match(/reports-reader/);
        const err = jsonError(await cli('clients', 'create', '--name', 'x', '--application', 'echo', '--role', 'root', '--json'));
        expect(err).to.include({ error: 'invalid_field', field: 'roles' });
        expect(err.message).to.include('root');
        const { client_id: id } = json<ClientJson>(await cli('clients', 'create', '--name', 'x', '--application', 'echo', '--role', 'echo-reader', '--json'));
        const rolesErr = jsonError(await cli('clients', 'roles', id, '--role', 'root', '--json'));
        expect(rolesErr, JSON.stringify(rolesErr)).to.include({ field: 'roles' });
        expect(json<ClientJson>(await cli('clients', 'show', id, '--json')).roles).to.deep.equal(['echo-reader']);
      });

      it('unknown client id: not_found for every command that takes one', async function () {
        for (const args of [['show'], ['roles', '--role', 'echo-reader'], ['disable'], ['enable'], ['rotate-secret']]) {
          const [command, ...rest] = args;
          const human = await cli('clients', command, 'pcc_nosuchclient', ...rest);
          expect(human.code, command).to.equal(1);
          expect(human.stderr, command).to.match(/^error: client "pcc_nosuchclient" does not exist/);
          const err = jsonError(await cli('clients', command, 'pcc_nosuchclient', ...rest, '--json'));
          expect(err.error, command).to.equal('not_found');
          expect(err.message).to.include('pcc_nosuchclient');
          expect(err).to.not.have.property('field');
        }
      });

      it('missing --name (or an empty one): non-zero exit, says what is missing; JSON with --json', async function () {
        const human = await cli('clients', 'create', '--application', 'echo');
        expect(human.code).to.not.equal(0);
        expect(human.stdout).to.equal('');
        expect(human.stderr).to.match(/required option '--name <name>' not specified/);
        const err = jsonError(await cli('clients', 'create', '--application', 'echo', '--json'));
        expect(err.message).to.match(/--name/);
        expect(err.field).to.equal('name');
        const blank = jsonError(await cli('clients', 'create', '--name', '   ', '--application', 'echo', '--json'));
        expect(blank).to.include({ error: 'invalid_field', field: 'name' });
        const long = jsonError(await cli('clients', 'create', '--name', 'n'.repeat(256), '--application', 'echo', '--json'));
        expect(long).to.include({ error: 'invalid_field', field: 'name' });
        expect(json<ClientJson[]>(await cli('clients', 'list', '--json'))).to.deep.equal([]);
      });

      it('an unknown command or option exits non-zero', async function () {
        const unknown = await cli('clients', 'destroy', 'x');
        expect(unknown.code).to.not.equal(0);
        expect(unknown.stderr).to.match(/unknown command/);
        const option = await cli('clients', 'list', '--colour');
        expect(option.code).to.not.equal(0);
        expect(option.stderr).to.match(/unknown option '--colour'/);
        const wrongType = jsonError(await cli('clients', 'create', '--name', 'x', '--application', 'echo', '--type', 'public', '--json'));
        expect(wrongType.message).to.match(/--type/);
      });
    });
  });

  describe('--help', function () {
    const cases: Array<[string[], string[]]> = [
      [[], ['start', 'clients', 'keys']],
      [['start'], ['--sample-upstream']],
      [['clients'], ['create', 'list', 'show', 'roles', 'disable', 'enable', 'rotate-secret']],
      [['clients', 'create'], ['--name', '--application', '--role', '--type', '--description', '--json']],
      [['clients', 'list'], ['--json']],
      [['clients', 'show'], ['<clientId>', '--json']],
      [['clients', 'roles'], ['<clientId>', '--role', '--json']],
      [['clients', 'disable'], ['<clientId>', '--json']],
      [['clients', 'enable'], ['<clientId>', '--json']],
      [['clients', 'rotate-secret'], ['<clientId>', '--json']],
      [['keys'], ['list', 'rotate']],
      [['keys', 'list'], ['--json']],
      [['keys', 'rotate'], ['--algorithm', 'RS256', 'ES256', 'EdDSA', '--retire-now', '--json']],
    ];
    for (const [command, mentions] of cases) {
      it(`portcullis ${[...command, '--help'].join(' ')}`, async function () {
        // No store needed to ask for help: point at a config that would fail if it were read.
        const run = await runCli([...command, '--help'], { ...process.env, PORTCULLIS_CONFIG_DIR: tempDir() });
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(new RegExp(`^Usage: portcullis${command.length ? ' ' + command.join(' ') : ''} `));
        for (const text of mentions) expect(run.stdout, `help of ${command.join(' ') || 'portcullis'}`).to.include(text);
      });
    }
  });

  describe('keys', function () {
    let env: NodeJS.ProcessEnv;
    const cli = (...args: string[]) => runCli(args, env);

    before(async function () {
      env = await gatewayEnv({ PORTCULLIS_SIGNING_ALG: 'ES256' });
    });

    it('keys list --json shows one active key without private members', async function () {
      const run = await cli('keys', 'list', '--json');
      const keys = json<KeyJson[]>(run);
      expect(keys).to.have.length(1);
      expect(keys[0]).to.include({ active: true, alg: 'ES256' });
      expect(keys[0].publish_until).to.equal(undefined);
      expect(keys[0]).to.not.have.property('privateJwk');
      for (const member of PRIVATE_MEMBERS) expect(keys[0].public_jwk).to.not.have.property(member);
      expect(keys[0].public_jwk).to.include({ kid: keys[0].kid, kty: 'EC', crv: 'P-256' });
      await withStore(env, async (store) => {
        const [stored] = await store.list<StoredSigningKey>('signing-keys');
        expect(stored.value.kid).to.equal(keys[0].kid);
        expect(run.stdout).to.not.include(stored.value.privateJwk.d as string);
      });
      // A second invocation reuses the key rather than making a new one.
      expect(json<KeyJson[]>(await cli('keys', 'list', '--json')).map((k) => k.kid)).to.deep.equal([keys[0].kid]);
    });

    it('keys rotate --json makes a new active key; keys list then shows two, the old one with publishUntil', async function () {
      const [before] = json<KeyJson[]>(await cli('keys', 'list', '--json'));
      const rotated = json<{ kid: string; alg: string; created_at: string }>(await cli('keys', 'rotate', '--json'));
      expect(rotated.kid).to.not.equal(before.kid);
      expect(rotated.alg).to.equal('ES256');
      expect(Object.keys(rotated).sort()).to.deep.equal(['alg', 'created_at', 'kid']);

      const run = await cli('keys', 'list', '--json');
      const keys = json<KeyJson[]>(run);
      expect(keys).to.have.length(2);
      const old = keys.find((k) => k.kid === before.kid)!;
      const current = keys.find((k) => k.kid === rotated.kid)!;
      expect(current.active).to.equal(true);
      expect(current.publish_until).to.equal(undefined);
      expect(old.active).to.equal(false);
      expect(old.retired_at).to.be.a('string');
      // Published at least for the access-token lifetime of the sample config (3600 s).
      expect(Date.parse(old.publish_until!)).to.be.at.least(Date.parse(old.retired_at!) + 3600 * 1000);
      expect(run.stdout).to.not.include('privateJwk');
      for (const key of keys) for (const member of PRIVATE_MEMBERS) expect(key.public_jwk).to.not.have.property(member);

      const human = await cli('keys', 'list');
      expect(human.code).to.equal(0);
      expect(human.stdout).to.include(before.kid).and.to.include(rotated.kid);
    });

    it('keys rotate --retire-now withdraws the old key at once: keys list no longer shows it', async function () {
      const before = json<KeyJson[]>(await cli('keys', 'list', '--json'));
      const active = before.find((k) => k.active)!;
      const rotated = json<{ kid: string }>(await cli('keys', 'rotate', '--retire-now', '--json'));
      const after = json<KeyJson[]>(await cli('keys', 'list', '--json')).map((k) => k.kid);
      expect(after).to.include(rotated.kid);
      expect(after, 'the leaked key is gone from the store and the JWKS').to.not.include(active.kid);
    });

    it('keys rotate --algorithm switches algorithm; an unsupported one is refused', async function () {
      const rotated = json<{ kid: string; alg: string }>(await cli('keys', 'rotate', '--algorithm', 'EdDSA', '--json'));
      expect(rotated.alg).to.equal('EdDSA');
      const active = json<KeyJson[]>(await cli('keys', 'list', '--json')).find((k) => k.active)!;
      expect(active).to.include({ kid: rotated.kid, alg: 'EdDSA' });
      const refused = await cli('keys', 'rotate', '--algorithm', 'HS256');
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr).to.match(/HS256/);
      expect(json<KeyJson[]>(await cli('keys', 'list', '--json')).find((k) => k.active)!.kid).to.equal(rotated.kid);
    });
  });

  describe('settings errors', function () {
    const invalidConfig = (text: string) => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'system.config.yml'), text);
      return dir;
    };
    const valid = fs.readFileSync(path.resolve(__dirname, '..', '..', 'config', 'system.config.yml'), 'utf8');

    it('an invalid system.config.yml exits with code 2 and names the field', async function () {
      const dir = invalidConfig(valid.replace('cacheMs: 500', 'cacheMs: 5000'));
      const env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: dir });
      const human = await runCli(['clients', 'list'], env);
      expect(human.code).to.equal(2);
      expect(human.stdout).to.equal('');
      expect(human.stderr).to.match(/^error: invalid Portcullis settings: .*system\.config\.yml: plugins\.portcullis\.cacheMs: must be <= 1000/);
      const err = jsonError(await runCli(['keys', 'list', '--json'], env));
      expect(err.error).to.equal('invalid_settings');
      expect(err.message).to.include('plugins.portcullis.cacheMs');
      expect((await runCli(['keys', 'list', '--json'], env)).code).to.equal(2);
    });

    it('a config without plugins.portcullis, a missing file, or broken YAML also exit with code 2', async function () {
      const noSection = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: invalidConfig('db:\n  redis:\n    emulate: true\n') });
      const r1 = await runCli(['clients', 'list'], noSection);
      expect(r1.code).to.equal(2);
      expect(r1.stderr).to.match(/plugins\.portcullis/);

      const missing = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: tempDir() });
      const r2 = await runCli(['clients', 'list', '--json'], missing);
      expect(r2.code).to.equal(2);
      expect(jsonError(r2).message).to.match(/cannot read .*system\.config\.yml/);

      const broken = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: invalidConfig('plugins:\n  portcullis:\n    issuer: [unclosed\n') });
      const r3 = await runCli(['clients', 'list'], broken);
      expect(r3.code).to.equal(2);
      expect(r3.stderr).to.match(/system\.config\.yml/);
    });

    it('a valid sample config with an unset issuer falls back to the port, so the CLI works with no settings in the environment', async function () {
      const env = await gatewayEnv();
      delete env.PORTCULLIS_ISSUER;
      const run = await runCli(['clients', 'list', '--json'], env);
      expect(json<unknown[]>(run)).to.deep.equal([]);
    });
  });
});
