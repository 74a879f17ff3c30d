import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { gatewayEnv, runCli } from '../helpers/gateway-process';

// `portcullis roles ...` as an operator runs it (bin/portcullis.js -> dist/: `npx tsc -p .` first),
// against the sample configuration's applications (echo: echo-reader, echo-writer in YAML).

type Run = { code: number; stdout: string; stderr: string };
interface RoleJson {
  name: string;
  description: string | null;
  permissions: string[];
  source: 'settings' | 'admin';
  read_only: boolean;
  holders?: { clients: Array<{ client_id: string; name: string }>; users: Array<{ id: string; username: string }> };
}

function json<T>(run: Run): T {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
  return JSON.parse(run.stdout) as T;
}

function jsonError(run: Run): { error: string; message: string; field?: string } {
  expect(run.code, `exit code; stdout: ${run.stdout}`).to.equal(1);
  expect(run.stdout).to.equal('');
  return JSON.parse(run.stderr.trim());
}

describe('portcullis roles (src/cli/roles-commands.ts)', function () {
  this.timeout(120_000);
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, env);

  before(function () {
    const bin = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    if (!fs.existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` first');
  });

  beforeEach(async function () {
    env = await gatewayEnv();
  });

  it('create, list, show, rename and edit a role; a client made with it keeps it across the rename; every change audited', async function () {
    const created = json<RoleJson>(await cli('roles', 'create', 'echo', '--name', 'nightly-export', '--permission', 'echo:read', '--description', 'the nightly export job', '--json'));
    expect(created).to.deep.equal({ name: 'nightly-export', description: 'the nightly export job', permissions: ['echo:read'], source: 'admin', read_only: false });

    const listed = json<RoleJson[]>(await cli('roles', 'list', 'echo', '--json'));
    expect(listed.map((r) => [r.name, r.source])).to.deep.equal([['echo-reader', 'settings'], ['echo-writer', 'settings'], ['nightly-export', 'admin']]);
    const human = await cli('roles', 'list', 'echo');
    expect(human.stdout).to.match(/nightly-export\s+admin\s+echo:read\s+the nightly export job/);

    const client = json<{ client_id: string; roles: string[] }>(await cli('clients', 'create', '--name', 'exporter', '--application', 'echo', '--role', 'nightly-export', '--json'));
    expect(client.roles).to.deep.equal(['nightly-export']);
    const shown = json<RoleJson>(await cli('roles', 'show', 'echo', 'nightly-export', '--json'));
    expect(shown.holders).to.deep.equal({ clients: [{ client_id: client.client_id, name: 'exporter' }], users: [] });

    const renamed = json<RoleJson>(await cli('roles', 'update', 'echo', 'nightly-export', '--name', 'exporter-role', '--permission', 'echo:read', '--permission', 'echo:write', '--json'));
    expect(renamed).to.include({ name: 'exporter-role' });
    expect(renamed.permissions).to.deep.equal(['echo:read', 'echo:write']);
    expect(json<{ roles: string[] }>(await cli('clients', 'show', client.client_id, '--json')).roles).to.deep.equal(['exporter-role']);

    const emptied = json<RoleJson>(await cli('roles', 'update', 'echo', 'exporter-role', '--no-permissions', '--description', '', '--json'));
    expect(emptied).to.include({ description: null });
    expect(emptied.permissions).to.deep.equal([]);

    const audit = json<Array<{ action: string; target: { type: string; id: string }; changed?: string[]; actor: { type: string } }>>(await cli('audit', '--json'));
    const roleEntries = audit.filter((e) => e.target.type === 'role').reverse();
    expect(roleEntries.map((e) => [e.action, e.target.id, e.changed])).to.deep.equal([
      ['role.create', 'echo/nightly-export', undefined],
      ['role.update', 'echo/exporter-role', ['name (was nightly-export)', 'permissions']],
      ['role.update', 'echo/exporter-role', ['description', 'permissions']],
    ]);
    expect(roleEntries.every((e) => e.actor.type === 'cli')).to.equal(true);
  });

  it('delete refuses a held role naming its holders; --remove-from-holders takes it from them', async function () {
    json(await cli('roles', 'create', 'echo', '--name', 'temp', '--permission', 'echo:write', '--json'));
    const client = json<{ client_id: string }>(await cli('clients', 'create', '--name', 'temp holder', '--application', 'echo', '--role', 'temp', '--role', 'echo-reader', '--json'));
    const refused = jsonError(await cli('roles', 'delete', 'echo', 'temp', '--json'));
    expect(refused.error).to.equal('conflict');
    expect(refused.message).to.contain('held by 1 client (temp holder)').and.contain('remove_from_holders');
    expect(json<RoleJson[]>(await cli('roles', 'list', 'echo', '--json')).map((r) => r.name)).to.include('temp');

    const deleted = json<RoleJson>(await cli('roles', 'delete', 'echo', 'temp', '--remove-from-holders', '--json'));
    expect(deleted.name).to.equal('temp');
    expect(json<{ roles: string[] }>(await cli('clients', 'show', client.client_id, '--json')).roles).to.deep.equal(['echo-reader']);
    expect(json<RoleJson[]>(await cli('roles', 'list', 'echo', '--json')).map((r) => r.name)).to.not.include('temp');
    const audit = json<Array<{ action: string; changed?: string[] }>>(await cli('audit', '--json'));
    expect(audit.find((e) => e.action === 'role.delete')?.changed).to.deep.equal(['removed from 1 client (temp holder)']);
  });

  it('YAML roles are read-only; undeclared permissions and unknown applications are refused by field', async function () {
    const yaml = jsonError(await cli('roles', 'update', 'echo', 'echo-reader', '--description', 'mine now', '--json'));
    expect(yaml).to.include({ error: 'conflict' });
    expect(yaml.message).to.match(/comes from the settings \(YAML\) and is read-only/);
    expect(jsonError(await cli('roles', 'delete', 'echo', 'echo-writer', '--json')).error).to.equal('conflict');
    expect(jsonError(await cli('roles', 'create', 'echo', '--name', 'echo-reader', '--json')).error).to.equal('conflict');
    expect(jsonError(await cli('roles', 'create', 'echo', '--name', 'wide', '--permission', 'reports:read', '--json'))).to.include({ error: 'invalid_field', field: 'permissions' });
    expect(jsonError(await cli('roles', 'create', 'echo', '--name', 'bad name', '--json'))).to.include({ error: 'invalid_field', field: 'name' });
    expect(jsonError(await cli('roles', 'list', 'nowhere', '--json')).error).to.equal('not_found');
  });
});
