import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolveSettings, SettingsError } from '../../src/config/settings';
import { Portcullis } from '../../src/runtime/portcullis';
import { tempDir } from '../helpers/gateway-process';
import { ISSUER, TEST_APPLICATIONS } from '../helpers/test-portcullis';

/**
 * Portcullis.open is what the plugin runs however the gateway was started: every check that can
 * refuse the environment runs before the store is opened, so a refusal never leaves a signing key
 * (or a generated secret hash key) behind (issue 7 item 4).
 */
describe('Portcullis.open (src/runtime/portcullis.ts): refuses before it writes', () => {
  const touched = ['PORTCULLIS_SECRET_HASH_KEY', 'PORTCULLIS_ADMIN_USERNAME', 'PORTCULLIS_ADMIN_PASSWORD'];
  const saved = Object.fromEntries(touched.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of touched) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  async function refusedWithoutStore(): Promise<string> {
    const sqlitePath = path.join(tempDir(), 'portcullis.db');
    const settings = resolveSettings({ issuer: ISSUER, store: { sqlitePath }, applications: TEST_APPLICATIONS }, '/');
    const err = await Portcullis.open(settings).then(
      (p) => (p.close(), undefined),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SettingsError);
    expect(fs.existsSync(sqlitePath), 'the SQLite file must not even be created').to.equal(false);
    return (err as Error).message;
  }

  it('a short PORTCULLIS_SECRET_HASH_KEY', async () => {
    process.env.PORTCULLIS_SECRET_HASH_KEY = randomBytes(31).toString('base64');
    expect(await refusedWithoutStore()).to.equal('PORTCULLIS_SECRET_HASH_KEY: must be at least 32 bytes of base64; this value decodes to 31 bytes');
  });

  it('a first-admin password that is too short', async () => {
    process.env.PORTCULLIS_ADMIN_USERNAME = 'admin';
    process.env.PORTCULLIS_ADMIN_PASSWORD = 'short';
    expect(await refusedWithoutStore()).to.match(/PORTCULLIS_ADMIN_PASSWORD: password must be 10 to 1024 characters/);
  });
});
