import { expect } from 'chai';
import { createLogger } from '../../src/logging/logger';
import { bootstrapAdmin, NO_USER_YET, VARIABLES_IGNORED } from '../../src/runtime/bootstrap-admin';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { UserRegistry } from '../../src/users/user-registry';
import { testSettings } from '../helpers/test-portcullis';

const ADMIN = { PORTCULLIS_ADMIN_USERNAME: 'admin', PORTCULLIS_ADMIN_PASSWORD: 'change-me-now-please' };

describe('the first administrator (src/runtime/bootstrap-admin.ts)', function () {
  let store: Store;
  let users: UserRegistry;
  let logged: Array<{ level: string; message: string }>;
  const logger = () => createLogger('debug', (line) => logged.push(JSON.parse(line)));

  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:' });
    users = new UserRegistry(store, testSettings().applications);
    logged = [];
  });
  afterEach(() => store.close());

  it('says each notice once a process, however many runtimes open (a reload opens one more)', async () => {
    const said = new Set<string>();
    await bootstrapAdmin(users, logger(), {}, said);
    await bootstrapAdmin(users, logger(), {}, said);
    expect(logged.map((l) => l.message)).to.deep.equal([NO_USER_YET]);
    await users.create({ username: 'dana', password: 'a long enough password' });
    await bootstrapAdmin(users, logger(), ADMIN, said);
    await bootstrapAdmin(users, logger(), ADMIN, said);
    expect(logged.map((l) => l.message)).to.deep.equal([NO_USER_YET, VARIABLES_IGNORED]);
    expect((await users.list()).map((u) => u.username)).to.deep.equal(['dana']);
  });

  it('another instance that created the admin first is no failure', async () => {
    await users.create({ username: 'admin', password: 'another long password' });
    // This instance counted no user before the other one wrote: as if count() had said 0.
    const racing = Object.assign(Object.create(users) as UserRegistry, { count: async () => 0 });
    await bootstrapAdmin(racing, logger(), ADMIN, new Set());
    expect(logged.map((l) => l.message)).to.deep.equal(['the first super admin was created by another instance']);
  });

  it('a store that fails while creating the admin stops start-up (no warning and carrying on)', async () => {
    const failing = Object.assign(Object.create(users) as UserRegistry, {
      create: async () => {
        throw new Error('disk I/O error');
      },
    });
    let caught: unknown;
    await bootstrapAdmin(failing, logger(), ADMIN, new Set()).catch((err) => (caught = err));
    expect(caught).to.be.instanceOf(Error).with.property('message', 'disk I/O error');
  });
});
