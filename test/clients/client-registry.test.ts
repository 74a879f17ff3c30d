import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Client } from '../../src/clients/client';
import { ClientRegistry, type NewClient } from '../../src/clients/client-registry';
import { hashSecret } from '../../src/clients/client-secret';
import { resolveSettings, type ApplicationSettings } from '../../src/config/settings';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../../src/errors/domain-errors';
import { SqliteStore } from '../../src/store/sqlite-store';

const APPLICATIONS: Record<string, ApplicationSettings> = resolveSettings(
  {
    issuer: 'http://issuer.test',
    applications: {
      echo: {
        audience: 'urn:portcullis:application:echo',
        roles: { 'echo-reader': ['echo:read'], 'echo-writer': ['echo:write'], 'echo-admin': ['echo:read', 'echo:write'] },
        routes: [{ path: '/echo/**', permission: 'echo:read' }],
      },
      billing: {
        audience: 'urn:portcullis:application:billing',
        roles: { 'billing-reader': ['billing:read'] },
        routes: [{ path: '/billing/**', permission: 'billing:read' }],
      },
    },
  },
  process.cwd(),
).applications;

/** Runs `fn` and returns the error it threw (failing the test if it did not throw). */
async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

async function validationError(fn: () => Promise<unknown>, field: string): Promise<ValidationError> {
  const err = await rejection(fn);
  expect(err, String(err)).to.be.instanceOf(ValidationError);
  expect((err as ValidationError).field).to.equal(field);
  expect((err as ValidationError).code).to.equal('invalid_field');
  return err as ValidationError;
}

describe('ClientRegistry (src/clients/client-registry.ts)', function () {
  let store: SqliteStore;
  let registry: ClientRegistry;
  let hashKey: Buffer;
  const clock = { ms: Date.UTC(2030, 0, 1) };

  beforeEach(function () {
    clock.ms = Date.UTC(2030, 0, 1);
    store = new SqliteStore({ path: ':memory:', now: () => clock.ms });
    hashKey = randomBytes(32);
    registry = new ClientRegistry(store, APPLICATIONS, hashKey, () => clock.ms);
  });
  afterEach(async function () {
    await store.close();
  });

  const create = (input: Partial<NewClient> = {}) =>
    registry.create({ name: 'reporting job', application: 'echo', roles: ['echo-reader'], ...input });

  describe('create', function () {
    it('creates an active service client with the given fields', async function () {
      const { client, clientSecret } = await create({ description: '  nightly export  ' });
      expect(client.clientId).to.match(/^pcc_[A-Za-z0-9_-]{22}$/);
      expect(clientSecret).to.match(/^pcs_[A-Za-z0-9_-]{43}$/);
      expect(client).to.include({ name: 'reporting job', application: 'echo', type: 'service', status: 'active', description: 'nightly export' });
      expect(client.roles).to.deep.equal(['echo-reader']);
      expect(client.createdAt).to.equal(clock.ms);
      expect(client.updatedAt).to.equal(clock.ms);
      expect(client.secretIssuedAt).to.equal(clock.ms);
      expect(client).to.not.have.property('secretHash');
      expect(await registry.get(client.clientId)).to.deep.equal(client);
    });

    it('trims the name and accepts exactly 255 characters', async function () {
      expect((await create({ name: '  padded  ' })).client.name).to.equal('padded');
      const long = 'n'.repeat(255);
      expect((await create({ name: `  ${long}  ` })).client.name).to.equal(long);
    });

    it('requires a name', async function () {
      await validationError(() => create({ name: '' }), 'name');
      await validationError(() => create({ name: '   \t ' }), 'name');
      await validationError(() => create({ name: undefined as unknown as string }), 'name');
      await validationError(() => create({ name: 42 as unknown as string }), 'name');
    });

    it('refuses a name longer than 255 characters (after trimming)', async function () {
      const err = await validationError(() => create({ name: 'n'.repeat(256) }), 'name');
      expect(err.message).to.match(/255/);
    });

    it('refuses a description longer than 500 characters, accepts 500', async function () {
      await validationError(() => create({ description: 'd'.repeat(501) }), 'description');
      expect((await create({ description: 'd'.repeat(500) })).client.description).to.have.length(500);
    });

    it('refuses an unknown application, naming the field and the declared ones', async function () {
      const err = await validationError(() => create({ application: 'payroll' }), 'application');
      expect(err.message).to.include('payroll').and.to.include('echo').and.to.include('billing');
      // Prototype names are not applications.
      await validationError(() => create({ application: 'constructor', roles: [] }), 'application');
      await validationError(() => create({ application: '__proto__', roles: [] }), 'application');
      await validationError(() => create({ application: 'toString', roles: [] }), 'application');
    });

    it("refuses a role the application does not declare (including another application's role)", async function () {
      const err = await validationError(() => create({ roles: ['echo-reader', 'echo-superuser'] }), 'roles');
      expect(err.message).to.include('echo-superuser');
      await validationError(() => create({ roles: ['billing-reader'] }), 'roles');
      await validationError(() => create({ roles: ['constructor'] }), 'roles');
      await validationError(() => create({ roles: ['hasOwnProperty'] }), 'roles');
    });

    it('collapses duplicate roles', async function () {
      const { client } = await create({ roles: ['echo-reader', 'echo-writer', 'echo-reader', 'echo-writer'] });
      expect(client.roles).to.deep.equal(['echo-reader', 'echo-writer']);
    });

    it('accepts no roles at all', async function () {
      expect((await create({ roles: undefined })).client.roles).to.deep.equal([]);
    });

    it('stores nothing when the input is refused', async function () {
      await rejection(() => create({ roles: ['nope'] }));
      await rejection(() => create({ name: '' }));
      expect(await store.list('clients')).to.have.length(0);
    });

    it('returns the secret once and stores only its keyed hash', async function () {
      const { client, clientSecret } = await create();
      const raw = await store.get<Client>('clients', client.clientId);
      expect(raw, 'record in the store').to.not.equal(undefined);
      const text = JSON.stringify(raw);
      expect(text).to.not.include(clientSecret!);
      expect(text).to.not.include(clientSecret!.slice(4));
      expect(raw!.value.secretHash).to.equal(hashSecret(clientSecret!, hashKey));
      expect(Object.keys(raw!.value).filter((k) => /secret/i.test(k)).sort()).to.deep.equal(['secretHash', 'secretIssuedAt']);
      // No read path hands the secret (or its hash) back.
      for (const view of [await registry.get(client.clientId), ...(await registry.list())]) {
        const shown = JSON.stringify(view);
        expect(shown).to.not.include(clientSecret!);
        expect(shown).to.not.include(raw!.value.secretHash!);
      }
    });

    it('gives every client its own id and secret', async function () {
      const made = await Promise.all(Array.from({ length: 10 }, (_, i) => create({ name: `c${i}` })));
      expect(new Set(made.map((m) => m.client.clientId)).size).to.equal(10);
      expect(new Set(made.map((m) => m.clientSecret)).size).to.equal(10);
      expect(await registry.list()).to.have.length(10);
    });
  });

  describe('get and list', function () {
    it('get of an unknown id is a NotFoundError', async function () {
      const err = await rejection(() => registry.get('pcc_doesnotexist'));
      expect(err).to.be.instanceOf(NotFoundError);
      expect((err as DomainError).code).to.equal('not_found');
      expect(err.message).to.include('pcc_doesnotexist');
      expect(await registry.find('pcc_doesnotexist')).to.equal(undefined);
    });

    it('list returns every client in creation order, without secret hashes', async function () {
      const first = (await create({ name: 'first' })).client;
      clock.ms += 1000;
      const second = (await create({ name: 'second', application: 'billing', roles: ['billing-reader'] })).client;
      const list = await registry.list();
      expect(list.map((c) => c.clientId)).to.deep.equal([first.clientId, second.clientId]);
      for (const c of list) expect(c).to.not.have.property('secretHash');
    });
  });

  describe('authenticate', function () {
    it('accepts the right secret and refuses a wrong one', async function () {
      const { client, clientSecret } = await create();
      const ok = await registry.authenticate(client.clientId, clientSecret!);
      expect(ok?.clientId).to.equal(client.clientId);
      expect(await registry.authenticate(client.clientId, clientSecret!.slice(0, -1) + (clientSecret!.endsWith('A') ? 'B' : 'A'))).to.equal(undefined);
      expect(await registry.authenticate(client.clientId, '')).to.equal(undefined);
      expect(await registry.authenticate('pcc_unknown', clientSecret!)).to.equal(undefined);
    });

    it("refuses one client's secret for another client", async function () {
      const a = await create({ name: 'a' });
      const b = await create({ name: 'b' });
      expect(await registry.authenticate(b.client.clientId, a.clientSecret!)).to.equal(undefined);
    });

    it('refuses a secret hashed under another hash key (e.g. a registry with a different key)', async function () {
      const { client, clientSecret } = await create();
      const otherKey = new ClientRegistry(store, APPLICATIONS, randomBytes(32), () => clock.ms);
      expect(await otherKey.authenticate(client.clientId, clientSecret!)).to.equal(undefined);
    });

    it('refuses a disabled client, and accepts it again once enabled', async function () {
      const { client, clientSecret } = await create();
      const disabled = await registry.setStatus(client.clientId, 'disabled');
      expect(disabled.status).to.equal('disabled');
      expect(await registry.authenticate(client.clientId, clientSecret!)).to.equal(undefined);
      await registry.setStatus(client.clientId, 'active');
      expect(await registry.authenticate(client.clientId, clientSecret!)).to.not.equal(undefined);
    });

    it('rotateSecret makes the old secret fail at once and the new one work', async function () {
      const { client, clientSecret: oldSecret } = await create();
      clock.ms += 5000;
      const rotated = await registry.rotateSecret(client.clientId);
      expect(rotated.clientSecret).to.match(/^pcs_[A-Za-z0-9_-]{43}$/);
      expect(rotated.clientSecret).to.not.equal(oldSecret);
      expect(rotated.client.secretIssuedAt).to.equal(clock.ms);
      expect(rotated.client).to.not.have.property('secretHash');
      expect(await registry.authenticate(client.clientId, oldSecret!)).to.equal(undefined);
      expect(await registry.authenticate(client.clientId, rotated.clientSecret!)).to.not.equal(undefined);
      const raw = JSON.stringify(await store.get('clients', client.clientId));
      expect(raw).to.not.include(rotated.clientSecret!);
      expect(raw).to.not.include(oldSecret!);
    });

    it('rotateSecret of an unknown client is a NotFoundError', async function () {
      expect(await rejection(() => registry.rotateSecret('pcc_nope'))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('setRoles and setStatus', function () {
    it('setRoles replaces the roles, collapses duplicates and bumps updatedAt', async function () {
      const { client } = await create();
      clock.ms += 1000;
      const updated = await registry.setRoles(client.clientId, ['echo-writer', 'echo-admin', 'echo-writer']);
      expect(updated.roles).to.deep.equal(['echo-writer', 'echo-admin']);
      expect(updated.updatedAt).to.equal(clock.ms);
      expect(updated.createdAt).to.equal(client.createdAt);
      expect((await registry.get(client.clientId)).roles).to.deep.equal(['echo-writer', 'echo-admin']);
      expect((await registry.setRoles(client.clientId, [])).roles).to.deep.equal([]);
    });

    it('setRoles refuses unknown roles and leaves the client untouched', async function () {
      const { client } = await create();
      await validationError(() => registry.setRoles(client.clientId, ['echo-writer', 'billing-reader']), 'roles');
      expect((await registry.get(client.clientId)).roles).to.deep.equal(['echo-reader']);
      expect((await store.get('clients', client.clientId))!.version).to.equal(1);
    });

    it('setRoles / setStatus of an unknown client is a NotFoundError', async function () {
      expect(await rejection(() => registry.setRoles('pcc_nope', []))).to.be.instanceOf(NotFoundError);
      expect(await rejection(() => registry.setStatus('pcc_nope', 'disabled'))).to.be.instanceOf(NotFoundError);
    });

    it('setStatus keeps the secret working after re-enabling (the hash is not lost)', async function () {
      const { client, clientSecret } = await create();
      await registry.setStatus(client.clientId, 'disabled');
      await registry.setRoles(client.clientId, ['echo-admin']);
      await registry.setStatus(client.clientId, 'active');
      const authed = await registry.authenticate(client.clientId, clientSecret!);
      expect(authed?.roles).to.deep.equal(['echo-admin']);
    });

    it('concurrent setRoles and setStatus do not lose each other', async function () {
      const { client, clientSecret } = await create({ roles: ['echo-reader'] });
      // Alternate: 5 writers move roles to echo-writer, 5 disable. If any write were based on a
      // stale read (no compare-and-set), it would put back the old roles or the old status.
      const writes = Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? registry.setRoles(client.clientId, ['echo-writer']) : registry.setStatus(client.clientId, 'disabled'),
      );
      const results = await Promise.allSettled(writes);
      const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      expect(failures, 'every concurrent write must succeed').to.deep.equal([]);

      const raw = await store.get<Client>('clients', client.clientId);
      expect(raw!.value.roles).to.deep.equal(['echo-writer']);
      expect(raw!.value.status).to.equal('disabled');
      expect(raw!.version, 'one version per write: 1 (create) + 10').to.equal(11);
      // The rest of the record survived all the rewrites.
      expect(raw!.value).to.include({ name: 'reporting job', application: 'echo', type: 'service', secretHash: hashSecret(clientSecret!, hashKey) });
    });

    it('concurrent writes with distinct values: every write lands exactly once', async function () {
      const { client } = await create({ roles: [] });
      const roleSets = [['echo-reader'], ['echo-writer'], ['echo-admin'], ['echo-reader', 'echo-writer'], ['echo-writer', 'echo-admin']];
      const writes = Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? registry.setRoles(client.clientId, roleSets[i / 2]) : registry.setStatus(client.clientId, i % 4 === 1 ? 'disabled' : 'active'),
      );
      const results = await Promise.allSettled(writes);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
      const raw = await store.get<Client>('clients', client.clientId);
      expect(raw!.version).to.equal(11);
      expect(roleSets.map((r) => JSON.stringify(r))).to.include(JSON.stringify(raw!.value.roles));
      expect(['active', 'disabled']).to.include(raw!.value.status);
    });

    it('two registries (two processes sharing the store) updating at once do not lose updates', async function () {
      const { client } = await create({ roles: ['echo-reader'] });
      const other = new ClientRegistry(store, APPLICATIONS, hashKey, () => clock.ms);
      await Promise.all([
        registry.setRoles(client.clientId, ['echo-admin']),
        other.setStatus(client.clientId, 'disabled'),
        registry.setStatus(client.clientId, 'disabled'),
        other.setRoles(client.clientId, ['echo-admin']),
      ]);
      const raw = await store.get<Client>('clients', client.clientId);
      expect(raw!.value).to.include({ status: 'disabled' });
      expect(raw!.value.roles).to.deep.equal(['echo-admin']);
      expect(raw!.version).to.equal(5);
    });
  });

  it('ConflictError is a DomainError with code conflict (used when retries run out)', function () {
    const err = new ConflictError('x');
    expect(err).to.be.instanceOf(DomainError);
    expect(err.code).to.equal('conflict');
  });
});
