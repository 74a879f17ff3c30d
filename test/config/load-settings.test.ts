import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadSettings, replaceEnv } from '../../src/config/load-settings';
import { SettingsError } from '../../src/config/settings';

const SYSTEM_CONFIG = `
db:
  redis:
    emulate: true
plugins:
  other-plugin:
    package: ./x.js
  portcullis:
    package: \${PORTCULLIS_PACKAGE_DIR}/plugins/portcullis/manifest.js
    issuer: \${LS_TEST_ISSUER}
    store:
      sqlitePath: '\${LS_TEST_SQLITE:-data/from-default.db}'
    keys:
      algorithm: \${LS_TEST_ALG:-ES256}
    cacheMs: \${LS_TEST_CACHE:-250}
    applications:
      echo:
        audience: urn:portcullis:application:echo
        roles:
          echo-reader: [echo:read]
        routes:
          - methods: [GET, HEAD]
            path: /echo/**
            permission: echo:read
`;

function expectSettingsError(fn: () => unknown, pattern: RegExp): SettingsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'must throw a SettingsError').to.be.instanceOf(SettingsError);
  expect((caught as Error).message).to.match(pattern);
  return caught as SettingsError;
}

describe('loadSettings / replaceEnv (src/config/load-settings.ts)', function () {
  describe('replaceEnv', function () {
    const env = { HOST: 'auth.example.com', PORT: '8443', EMPTY: '' };

    it('replaces ${VAR}', function () {
      expect(replaceEnv('issuer: https://${HOST}:${PORT}', env)).to.equal('issuer: https://auth.example.com:8443');
    });

    it('uses the default of ${VAR:-default} only when VAR is not set', function () {
      expect(replaceEnv('${HOST:-fallback.test}', env)).to.equal('auth.example.com');
      expect(replaceEnv('${NOPE:-fallback.test}', env)).to.equal('fallback.test');
      expect(replaceEnv('${NOPE:-redis://127.0.0.1:6379}', env)).to.equal('redis://127.0.0.1:6379');
      expect(replaceEnv("'${NOPE:-portcullis:}'", env)).to.equal("'portcullis:'");
      // Set but empty is set: the empty value wins over the default, as in Express Gateway.
      expect(replaceEnv('[${EMPTY:-default}]', env)).to.equal('[]');
    });

    it("turns a missing variable without default into 'null' (as Express Gateway does)", function () {
      expect(replaceEnv('issuer: ${NOPE}', env)).to.equal('issuer: null');
      // An empty default is no default in Express Gateway (`if (defValue)`): the CLI must agree.
      expect(replaceEnv('x: ${NOPE:-}', env)).to.equal('x: null');
    });

    it('leaves the $${VAR} escape as it is', function () {
      expect(replaceEnv('literal: $${HOST}', env)).to.equal('literal: $${HOST}');
      expect(replaceEnv('literal: $${NOPE:-d}', env)).to.equal('literal: $${NOPE:-d}');
      expect(replaceEnv('$${HOST} and ${HOST}', env)).to.equal('$${HOST} and auth.example.com');
    });

    it('leaves text that is not a reference alone', function () {
      expect(replaceEnv('$HOST {HOST} ${} ${bad-name} price: $5', env)).to.equal('$HOST {HOST} ${} ${bad-name} price: $5');
    });

    it('does not treat inherited object members as variables', function () {
      expect(replaceEnv('${constructor} ${toString:-d}', env)).to.equal('null d');
    });

    it('reads process.env by default', function () {
      process.env.LS_TEST_REPLACE = 'from-process';
      try {
        expect(replaceEnv('${LS_TEST_REPLACE}')).to.equal('from-process');
      } finally {
        delete process.env.LS_TEST_REPLACE;
      }
    });
  });

  describe('loadSettings', function () {
    const saved: Record<string, string | undefined> = {};
    const touched = ['LS_TEST_ISSUER', 'LS_TEST_SQLITE', 'LS_TEST_ALG', 'LS_TEST_CACHE', 'PORTCULLIS_HOME', 'PORTCULLIS_CONFIG_DIR', 'PORTCULLIS_PACKAGE_DIR'];
    let dir: string;
    let home: string;

    beforeEach(function () {
      for (const name of touched) saved[name] = process.env[name];
      for (const name of touched) delete process.env[name];
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-config-'));
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-home-'));
      process.env.PORTCULLIS_HOME = home;
      process.env.PORTCULLIS_PACKAGE_DIR = '/opt/portcullis';
    });
    afterEach(function () {
      for (const name of touched) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    });

    const write = (text: string) => fs.writeFileSync(path.join(dir, 'system.config.yml'), text);

    it('reads plugins.portcullis from <dir>/system.config.yml, with environment substitution and defaults', function () {
      write(SYSTEM_CONFIG);
      process.env.LS_TEST_ISSUER = 'https://auth.example.com';
      const s = loadSettings(dir);
      expect(s.issuer).to.equal('https://auth.example.com');
      expect(s.keys.algorithm).to.equal('ES256');
      expect(s.cacheMs).to.equal(250);
      expect(s.realm).to.equal('portcullis');
      expect(s.tokens.accessTokenTtl).to.equal(3600);
      // The relative path is resolved against the installation home (PORTCULLIS_HOME).
      expect(s.store.sqlitePath).to.equal(path.join(home, 'data', 'from-default.db'));
      expect(s.applications.echo.routes[0]).to.deep.equal({ methods: ['GET', 'HEAD'], path: '/echo/**', permission: 'echo:read' });
      expect((s as unknown as Record<string, unknown>).package).to.equal('/opt/portcullis/plugins/portcullis/manifest.js');
    });

    it('takes values from the environment over the defaults', function () {
      write(SYSTEM_CONFIG);
      process.env.LS_TEST_ISSUER = 'http://localhost:9999';
      process.env.LS_TEST_SQLITE = ':memory:';
      process.env.LS_TEST_ALG = 'EdDSA';
      process.env.LS_TEST_CACHE = '0';
      const s = loadSettings(dir);
      expect(s.issuer).to.equal('http://localhost:9999');
      expect(s.store.sqlitePath).to.equal(':memory:');
      expect(s.keys.algorithm).to.equal('EdDSA');
      expect(s.cacheMs).to.equal(0);
    });

    it('uses PORTCULLIS_CONFIG_DIR when no folder is passed', function () {
      write(SYSTEM_CONFIG);
      process.env.LS_TEST_ISSUER = 'https://from-env-dir.example.com';
      process.env.PORTCULLIS_CONFIG_DIR = dir;
      expect(loadSettings().issuer).to.equal('https://from-env-dir.example.com');
    });

    it('a missing variable without default becomes null and is reported as an invalid issuer', function () {
      write(SYSTEM_CONFIG);
      expectSettingsError(() => loadSettings(dir), /plugins\.portcullis\.issuer:/);
    });

    it('fails clearly on a missing file, naming it', function () {
      const err = expectSettingsError(() => loadSettings(dir), /cannot read/);
      expect(err.message).to.include(path.join(dir, 'system.config.yml'));
      expectSettingsError(() => loadSettings(path.join(dir, 'no-such-folder')), /cannot read .*no-such-folder/);
    });

    it('fails clearly when plugins.portcullis is missing', function () {
      write('db:\n  redis:\n    emulate: true\nplugins:\n  other:\n    package: x\n');
      const err = expectSettingsError(() => loadSettings(dir), /plugins\.portcullis/);
      expect(err.message).to.include(path.join(dir, 'system.config.yml'));
      write('db:\n  redis:\n    emulate: true\n');
      expectSettingsError(() => loadSettings(dir), /plugins\.portcullis/);
      // An empty file is no configuration either (js-yaml refuses it as a document).
      write('');
      expectSettingsError(() => loadSettings(dir), /system\.config\.yml/);
      write('plugins:\n  portcullis:\n');
      expectSettingsError(() => loadSettings(dir), /plugins\.portcullis/);
    });

    it('reports invalid settings inside the section as a SettingsError naming the field', function () {
      write(SYSTEM_CONFIG.replace('cacheMs: ${LS_TEST_CACHE:-250}', 'cacheMs: 5000'));
      process.env.LS_TEST_ISSUER = 'https://auth.example.com';
      expectSettingsError(() => loadSettings(dir), /system\.config\.yml: plugins\.portcullis\.cacheMs: must be <= 1000/);
    });

    it('reports a YAML syntax error as a SettingsError naming the file', function () {
      write('plugins:\n  portcullis:\n    issuer: [unclosed\n   bad: : indent\n');
      const err = expectSettingsError(() => loadSettings(dir), /not valid YAML/);
      expect(err.message).to.include('system.config.yml');
    });
  });
});
