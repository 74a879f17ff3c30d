import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, runCli, tempDir } from '../helpers/gateway-process';

// `portcullis routes` as an operator runs it (bin/portcullis.js -> dist/, built by `npm test`'s pretest).

const PETSTORE = path.resolve(__dirname, '..', 'fixtures', 'openapi', 'petstore.yaml');

/** The sample config with a third application `pets` that reads the petstore fixture beside one hand-written rule. */
function configWithPets(document = PETSTORE): string {
  const pets = [
    '      pets:',
    '        audience: urn:portcullis:application:pets',
    '        roles:',
    '          pet-reader: [pets:read, pets:write, pets:admin, pets:own, store:read, store:order, users:read]',
    '        routes:',
    '          - methods: [GET]',
    '            path: /v1/reports/**',
    '            permission: pets:admin',
    '        openapi:',
    `          document: ${JSON.stringify(document)}`,
    '',
  ].join('\n');
  return configWith('system.config.yml', (text) => text.replace(/^ {4}applications:\n/m, (m) => m + pets));
}

interface Row {
  application: string;
  methods: string[] | null;
  path: string;
  syntax: string;
  access: string;
  any_of?: string[][];
  needs: string;
  source: string;
}

describe('portcullis routes (src/cli/routes-command.ts)', function () {
  this.timeout(60_000);
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!fs.existsSync(path.resolve(__dirname, '..', '..', 'dist', 'cli', 'routes-command.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: configWithPets() });
  });

  it('prints every application\'s rules as a table: methods, path, what is needed, where the rule comes from', async function () {
    const run = await runCli(['routes'], env);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^APPLICATION\s+METHODS\s+PATH\s+NEEDS\s+SOURCE$/);
    const row = (re: RegExp) => expect(lines.some((l) => re.test(l)), `${re} in\n${run.stdout}`).to.equal(true);
    row(/^echo\s+GET,HEAD\s+\/echo\/\*\*\s+echo:read\s+routes\[0\]$/);
    row(/^pets\s+GET\s+\/v1\/reports\/\*\*\s+pets:admin\s+routes\[0\]$/);
    row(/^pets\s+DELETE\s+\/v1\/pets\/\{petId\}\s+pets:admin or \(pets:write and pets:own\)\s+openapi petstore\.yaml: DELETE \/pets\/\{petId\} \(deletePet\)$/);
    row(/^pets\s+GET\s+\/v1\/store\/status\s+public\s+openapi petstore\.yaml: GET \/store\/status \(storeStatus\)$/);
    row(/^reports\s+GET,HEAD\s+\/reports\/\*\*\s+reports:read\s+routes\[0\]$/);
  });

  it('--application A --json: one application\'s rules as JSON, in the order the guard tries them', async function () {
    const run = await runCli(['routes', '--application', 'pets', '--json'], env);
    expect(run.code, run.stderr).to.equal(0);
    const rows = JSON.parse(run.stdout) as Row[];
    expect(rows.every((r) => r.application === 'pets')).to.equal(true);
    expect(rows[0]).to.deep.equal({ application: 'pets', methods: ['GET'], path: '/v1/reports/**', syntax: 'glob', access: 'permissions', any_of: [['pets:admin']], needs: 'pets:admin', source: 'routes[0]' });
    expect(rows.find((r) => r.source.endsWith('(deletePet)'))).to.deep.equal({
      application: 'pets',
      methods: ['DELETE'],
      path: '/v1/pets/{petId}',
      syntax: 'template',
      access: 'permissions',
      any_of: [['pets:admin'], ['pets:write', 'pets:own']],
      needs: 'pets:admin or (pets:write and pets:own)',
      source: 'openapi petstore.yaml: DELETE /pets/{petId} (deletePet)',
    });
    expect(rows.find((r) => r.source.endsWith('(storeStatus)'))).to.deep.include({ access: 'public', needs: 'public' }).and.not.have.property('any_of');
    const paths = rows.map((r) => r.path);
    expect(paths.indexOf('/v1/pets/mine'), 'concrete before templated').to.be.lessThan(paths.indexOf('/v1/pets/{petId}'));
    expect(rows).to.have.length(11);
  });

  it('an unknown application: not_found, exit code 1', async function () {
    const run = await runCli(['routes', '--application', 'nope', '--json'], env);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(JSON.parse(run.stderr)).to.deep.equal({ error: 'not_found', message: 'application "nope" does not exist' });
  });

  it('a bad document: the start-up refusal, naming the operation, exit code 2', async function () {
    const bad = path.join(tempDir(), 'petstore.yaml');
    fs.writeFileSync(bad, fs.readFileSync(PETSTORE, 'utf8').replace('- petstore_auth: [pets:write]', '- petstore_auth: [pets:wirte]'));
    const badEnv = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: configWithPets(bad) });
    const run = await runCli(['routes', '--json'], badEnv);
    expect(run.code).to.equal(2);
    const error = JSON.parse(run.stderr) as { error: string; message: string };
    expect(error.error).to.equal('invalid_settings');
    expect(error.message).to.match(/application "pets", openapi document .*petstore\.yaml: POST \/pets \(createPet\): scope of security scheme "petstore_auth" is "pets:wirte"/);
  });
});
