import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { gatewayEnv, startExpectingFailure, tempDir } from '../helpers/gateway-process';

const CONFIG = path.resolve(__dirname, '..', '..', 'config');

/** A copy of the sample config with one edit, in a temp folder. */
function configWith(file: 'gateway.config.yml' | 'system.config.yml', edit: (text: string) => string): string {
  const dir = tempDir();
  for (const name of ['gateway.config.yml', 'system.config.yml']) {
    const text = fs.readFileSync(path.join(CONFIG, name), 'utf8');
    fs.writeFileSync(path.join(dir, name), name === file ? edit(text) : text);
  }
  return dir;
}

/**
 * A wrong YAML value must stop start-up with a message naming the field, never leave a gateway
 * running that cannot enforce anything.
 */
describe('e2e: a misconfiguration stops start-up', function () {
  this.timeout(30_000);

  async function expectStartFailure(dir: string, mentions: RegExp[]) {
    const { code, output } = await startExpectingFailure(await gatewayEnv({ PORTCULLIS_CONFIG_DIR: dir }));
    expect(code, output).to.not.equal(0);
    for (const pattern of mentions) expect(output).to.match(pattern);
    expect(output).to.not.contain('ready');
  }

  it('a guard action with a wrong type', async () => {
    const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              leeway: soon'));
    await expectStartFailure(dir, [/portcullis-guard/, /leeway/]);
  });

  it('a guard action with a misspelt parameter', async () => {
    const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: echo\n              hideCredential: true'));
    await expectStartFailure(dir, [/portcullis-guard/, /additional properties|hideCredential/]);
  });

  it('a guard naming an application that is not declared', async () => {
    const dir = configWith('gateway.config.yml', (t) => t.replace('application: echo', 'application: inventory'));
    await expectStartFailure(dir, [/inventory/, /not declared/]);
  });

  it('plugin settings with a missing audience', async () => {
    const dir = configWith('system.config.yml', (t) => t.replace('audience: urn:portcullis:application:echo', 'audiense: urn:portcullis:application:echo'));
    await expectStartFailure(dir, [/applications\/echo/, /audience/]);
  });

  it('plugin settings with an issuer that ends in a slash', async () => {
    const dir = configWith('system.config.yml', (t) => t);
    const { code, output } = await startExpectingFailure(await gatewayEnv({ PORTCULLIS_CONFIG_DIR: dir, PORTCULLIS_ISSUER: 'http://localhost:8080/' }));
    expect(code, output).to.not.equal(0);
    expect(output).to.match(/issuer/);
  });
});
