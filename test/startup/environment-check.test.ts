import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { checkEnvironment } from '../../src/startup/environment-check';
import { parseSecretHashKey } from '../../src/clients/secret-hash-key';

const KEY = randomBytes(32).toString('base64');

describe('environment check (src/startup/environment-check.ts)', () => {
  it('accepts an empty environment and good values', () => {
    expect(checkEnvironment({})).to.deep.equal([]);
    expect(checkEnvironment({ PORTCULLIS_SECRET_HASH_KEY: KEY, PORT: '8080', PORTCULLIS_LOG_LEVEL: 'debug', PORTCULLIS_HOME: '/srv/portcullis', PORTCULLIS_ADMIN_USERNAME: 'admin', PORTCULLIS_ADMIN_PASSWORD: 'long enough password' })).to.deep.equal([]);
    expect(parseSecretHashKey(KEY)).to.have.length(32);
    expect(parseSecretHashKey(KEY.replace(/=+$/, ''))).to.have.length(32);
  });

  it('refuses a secret hash key that is short, not strict base64, or empty, without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    expect(checkEnvironment({ PORTCULLIS_SECRET_HASH_KEY: short })).to.deep.equal(['PORTCULLIS_SECRET_HASH_KEY: must be at least 32 bytes of base64; this value decodes to 16 bytes']);
    // Node's decoder would skip the spaces and the '!' and quietly make a shorter key.
    const [sloppy] = checkEnvironment({ PORTCULLIS_SECRET_HASH_KEY: `${KEY} !` });
    expect(sloppy).to.match(/^PORTCULLIS_SECRET_HASH_KEY: is not standard base64/);
    expect(sloppy).to.not.contain(KEY);
    expect(checkEnvironment({ PORTCULLIS_SECRET_HASH_KEY: '' })[0]).to.match(/^PORTCULLIS_SECRET_HASH_KEY: is set but empty/);
    expect(checkEnvironment({ PORTCULLIS_SECRET_HASH_KEY: KEY.replace(/\+|\//g, '-') + 'A' })[0]).to.match(/is not standard base64/);
  });

  it('refuses a bad port, log level or relative home, naming the variable and the allowed values', () => {
    expect(checkEnvironment({ PORT: 'http' })).to.deep.equal(['PORT: must be a TCP port number, 0 to 65535']);
    expect(checkEnvironment({ PORT: '70000' })).to.have.length(1);
    expect(checkEnvironment({ PORTCULLIS_ECHO_PORT: 'x' })).to.deep.equal([]);
    expect(checkEnvironment({ PORTCULLIS_ECHO_PORT: 'x' }, { sampleUpstream: true })).to.deep.equal(['PORTCULLIS_ECHO_PORT: must be a TCP port number, 0 to 65535']);
    expect(checkEnvironment({ PORTCULLIS_LOG_LEVEL: 'verbose' })).to.deep.equal(['PORTCULLIS_LOG_LEVEL: must be one of: error, warn, info, debug']);
    expect(checkEnvironment({ PORTCULLIS_HOME: 'data' })).to.deep.equal(['PORTCULLIS_HOME: must be an absolute path']);
  });

  it('refuses half of the first-admin pair, and values the user registry would refuse later', () => {
    expect(checkEnvironment({ PORTCULLIS_ADMIN_USERNAME: 'admin' })).to.deep.equal([
      'PORTCULLIS_ADMIN_PASSWORD: missing; set both PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD, or neither',
    ]);
    expect(checkEnvironment({ PORTCULLIS_ADMIN_USERNAME: 'admin', PORTCULLIS_ADMIN_PASSWORD: 'short' })).to.deep.equal([
      'PORTCULLIS_ADMIN_PASSWORD: password must be 10 to 1024 characters',
    ]);
    expect(checkEnvironment({ PORTCULLIS_ADMIN_USERNAME: 'a b', PORTCULLIS_ADMIN_PASSWORD: 'long enough password', PORTCULLIS_ADMIN_EMAIL: 'nope' })).to.have.length(2);
    expect(checkEnvironment({ PORTCULLIS_ADMIN_EMAIL: 'a@example.com' })[0]).to.match(/^PORTCULLIS_ADMIN_EMAIL: is set without/);
  });
});
