import { type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SettingsError, type RedisConnectionSettings } from '../../src/config/settings';
import { hasRedisServer, killRedisServer, spawnRedisServer } from '../helpers/redis-server';
import { RedisStore } from '../../src/store/redis-store';
import { storeContract } from './store-contract';

/** The commands docs/ops-guide.md tells ops to grant, and nothing else. */
const ACL_COMMANDS = ['+hmget', '+evalsha', '+eval', '+ping', '+hget', '+hset', '+del', '+pexpireat', '+sadd', '+srem', '+smembers', '+incr', '+pexpire'];

/** A CA, a server certificate for `redis.test` and a client certificate, made with openssl. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Portcullis Test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:redis.test\n');
  for (const [name, subject, ext] of [['server', '/CN=redis.test', ['-extfile', 'server.ext']], ['client', '/CN=portcullis', []]] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.crt`, ...ext);
  }
}

function startTlsRedis(port: number, dir: string): Promise<ChildProcess> {
  const f = (name: string) => path.join(dir, name);
  return spawnRedisServer(
    ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--tls-cert-file', f('server.crt'), '--tls-key-file', f('server.key'), '--tls-ca-cert-file', f('ca.crt'), '--tls-auth-clients', 'yes',
      // ACL: the default user is off; Portcullis connects as its own user, with only the commands
      // and key pattern docs/ops-guide.md ("TLS and ACL users") lists.
      '--user', 'default', 'off', '--user', 'portcullis', 'on', '>s3cret-pass', '~tls:*', ...ACL_COMMANDS],
  );
}

/**
 * TLS with a private CA, a client certificate (the server demands one) and an ACL user whose
 * password comes from PORTCULLIS_REDIS_PASSWORD, on a redis-server of this file's own.
 */
describe('Redis over TLS with a client certificate and an ACL user', function () {
  this.timeout(30_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-tls-'));
  let server: ChildProcess | undefined;
  let url: string;
  const f = (name: string) => path.join(dir, name);
  const settings = (overrides: Partial<RedisConnectionSettings['tls']> = {}, username = 'portcullis'): RedisConnectionSettings => ({
    mode: 'standalone',
    cluster: { nodes: [] },
    sentinel: { sentinels: [], database: 0 },
    username,
    tls: { enabled: true, caFile: f('ca.crt'), certFile: f('client.crt'), keyFile: f('client.key'), servername: 'redis.test', ...overrides },
  });
  const open = (connection: RedisConnectionSettings) => RedisStore.open({ url, keyPrefix: 'tls:', connection, connectTimeoutMs: 2000 });
  const refused = async (connection: RedisConnectionSettings) =>
    expect(await open(connection).then((s) => s.close().then(() => 'opened'), (e: Error) => e)).to.be.instanceOf(Error);
  const previousPassword = process.env.PORTCULLIS_REDIS_PASSWORD;

  before(async function () {
    if (!hasRedisServer()) this.skip();
    try {
      execFileSync('openssl', ['version'], { stdio: 'pipe' });
    } catch {
      this.skip();
    }
    makeCertificates(dir);
    for (let attempt = 0; !server; attempt++) {
      const port = 20000 + Math.floor(Math.random() * 25000);
      server = await startTlsRedis(port, dir).catch((error: Error) => {
        if (attempt >= 4) throw error;
        return undefined;
      });
      url = `rediss://127.0.0.1:${port}`;
    }
    process.env.PORTCULLIS_REDIS_PASSWORD = 's3cret-pass';
  });
  after(async () => {
    if (previousPassword === undefined) delete process.env.PORTCULLIS_REDIS_PASSWORD;
    else process.env.PORTCULLIS_REDIS_PASSWORD = previousPassword;
    await killRedisServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  storeContract('redis over TLS, ACL user', () => open(settings()));

  it('refuses a server whose certificate does not name the servername', () => refused(settings({ servername: 'other.test' })));

  it('refuses a server signed by a CA it was not given', () => refused(settings({ caFile: undefined })));

  it('is refused by the server without a client certificate', () => refused(settings({ certFile: undefined, keyFile: undefined })));

  it('is refused with a wrong password, and the environment variable wins over the YAML value', async () => {
    process.env.PORTCULLIS_REDIS_PASSWORD = 'wrong';
    try {
      await refused({ ...settings(), password: 's3cret-pass' });
    } finally {
      process.env.PORTCULLIS_REDIS_PASSWORD = 's3cret-pass';
    }
    delete process.env.PORTCULLIS_REDIS_PASSWORD;
    try {
      const store = await open({ ...settings(), password: 's3cret-pass' });
      await store.ping();
      await store.close();
    } finally {
      process.env.PORTCULLIS_REDIS_PASSWORD = 's3cret-pass';
    }
  });

  it('is refused as the default user (disabled by the ACL)', () => refused(settings({}, '')));

  it('names the setting when a TLS file cannot be read', async () => {
    const outcome = await open(settings({ caFile: f('missing.crt') })).then(() => 'opened', (e: Error) => e);
    expect(outcome).to.be.instanceOf(Error);
    expect(outcome).to.be.instanceOf(SettingsError);
    expect((outcome as Error).message).to.equal(`invalid Portcullis settings: store.redis.tls.caFile: cannot read ${f('missing.crt')} (ENOENT)`);
  });
});
