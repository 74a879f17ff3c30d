import { expect } from 'chai';
import { SqliteStore } from '../../src/store/sqlite-store';
import { UserRegistry } from '../../src/users/user-registry';
import { gatewayEnv, runCli } from '../helpers/gateway-process';
import { createUser, runCliWithInput } from '../helpers/sample-client';
import { runOnTerminal } from '../helpers/terminal';
import { testSettings } from '../helpers/test-portcullis';

// `portcullis users ...` over the real binary (dist/: `npm run build` first): users named by
// username, and the password typed on a real pseudo-terminal.

type Run = { code: number | null; stdout: string; stderr: string };
interface UserJson {
  user_id: string;
  username: string;
  status: string;
  roles: Record<string, string[]>;
  admin_role: string | null;
}

function json<T>(run: Run): T {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
  return JSON.parse(run.stdout) as T;
}

/** Whether the CLI's SQLite store accepts this username and password (opened after the CLI exited). */
async function signsIn(env: NodeJS.ProcessEnv, username: string, password: string): Promise<boolean> {
  const store = new SqliteStore({ path: env.PORTCULLIS_SQLITE_PATH! });
  try {
    return (await new UserRegistry(store, testSettings().applications).authenticate(username, password)) !== undefined;
  } finally {
    await store.close();
  }
}

const PASSWORD = 'correct horse battery staple';

describe('portcullis users (src/cli/users-commands.ts)', function () {
  this.timeout(120_000);
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, env);

  beforeEach(async function () {
    env = await gatewayEnv();
  });

  describe('a user named by username or by id', function () {
    it('show, update, disable, enable and set-password take the username as well as the user id', async function () {
      const dana = await createUser(env, 'dana', PASSWORD, ['echo:echo-reader']);
      const other = await createUser(env, 'erin', PASSWORD, []);
      const byName = json<UserJson>(await cli('users', 'show', 'dana', '--json'));
      const byId = json<UserJson>(await cli('users', 'show', dana.user_id, '--json'));
      expect(byName).to.deep.equal(byId);
      expect(byName.user_id).to.equal(dana.user_id);
      // Usernames are matched as the sign-in page matches them: case and surrounding spaces aside.
      expect(json<UserJson>(await cli('users', 'show', ' DANA ', '--json')).user_id).to.equal(dana.user_id);

      const updated = json<UserJson>(await cli('users', 'update', 'dana', '--role', 'echo:echo-writer', '--admin-role', 'admin', '--json'));
      expect(updated).to.include({ user_id: dana.user_id, admin_role: 'admin' });
      expect(updated.roles).to.deep.equal({ echo: ['echo-writer'] });

      expect(json<UserJson>(await cli('users', 'disable', 'dana', '--json')).status).to.equal('disabled');
      expect(await signsIn(env, 'dana', PASSWORD), 'a disabled user cannot sign in').to.equal(false);
      expect(json<UserJson>(await cli('users', 'enable', dana.user_id, '--json')).status).to.equal('active');
      expect(await signsIn(env, 'dana', PASSWORD)).to.equal(true);

      const changed = await runCliWithInput(['users', 'set-password', 'dana', '--password-stdin', '--json'], env, 'a brand new passphrase');
      expect(changed.code, changed.stderr).to.equal(0);
      expect(await signsIn(env, 'dana', 'a brand new passphrase')).to.equal(true);
      expect(await signsIn(env, 'dana', PASSWORD)).to.equal(false);

      // Nothing happened to the other user.
      expect(json<UserJson>(await cli('users', 'show', 'erin', '--json'))).to.include({ user_id: other.user_id, status: 'active', admin_role: null });
      expect(await signsIn(env, 'erin', PASSWORD)).to.equal(true);
    });

    it('an unknown name or id: not_found, nothing changed', async function () {
      await createUser(env, 'dana', PASSWORD, []);
      for (const args of [['show'], ['update', '--name', 'X'], ['disable'], ['enable']]) {
        const [command, ...rest] = args;
        const human = await cli('users', command, 'nobody', ...rest);
        expect(human.code, command).to.equal(1);
        expect(human.stderr, command).to.match(/^error: user "nobody" does not exist/);
        const err = await cli('users', command, 'nobody', ...rest, '--json');
        expect(JSON.parse(err.stderr), command).to.include({ error: 'not_found' });
      }
      expect(json<UserJson[]>(await cli('users', 'list', '--json')).map((u) => u.status)).to.deep.equal(['active']);
    });

    it('audit --user takes the username too', async function () {
      const dana = await createUser(env, 'dana', PASSWORD, []);
      await cli('users', 'disable', 'dana');
      const entries = json<Array<{ action: string; target: { id: string } }>>(await cli('audit', '--user', 'dana', '--json'));
      expect(entries.map((e) => e.action)).to.deep.equal(['user.disable', 'user.create']);
      expect(entries.every((e) => e.target.id === dana.user_id)).to.equal(true);
    });
  });

  describe('the password on a terminal', function () {
    const typed = (keys: string) => [
      { prompt: /New password: $/, keys },
      { prompt: /Repeat the password: $/, keys },
    ];

    it('--password-stdin on a terminal asks twice, without echo, and the password works', async function () {
      const run = await runOnTerminal(['users', 'create', '--username', 'alice', '--password-stdin', '--json'], env, typed(`${PASSWORD}\r`));
      expect(run.code, run.screen).to.equal(0);
      expect(run.screen).to.match(/^New password: \nRepeat the password: \n\{/);
      expect(run.screen, 'the typed password was echoed').to.not.include('horse');
      expect(JSON.parse(run.screen.slice(run.screen.indexOf('{')))).to.include({ username: 'alice' });
      expect(await signsIn(env, 'alice', PASSWORD)).to.equal(true);
    });

    it('with neither --password nor --password-stdin, a terminal is asked too (set-password by username); backspace edits', async function () {
      await createUser(env, 'alice', PASSWORD, []);
      // "another passwordX", then backspace: the X is taken back.
      const run = await runOnTerminal(['users', 'set-password', 'alice'], env, typed('another passwordX\u007f\r'));
      expect(run.code, run.screen).to.equal(0);
      expect(run.screen).to.not.include('another');
      expect(run.screen).to.match(/username:\s+alice/);
      expect(await signsIn(env, 'alice', 'another password')).to.equal(true);
    });

    it('two different answers, or Ctrl-C, change nothing', async function () {
      const mismatch = await runOnTerminal(['users', 'create', '--username', 'bob'], env, [
        { prompt: /New password: $/, keys: `${PASSWORD}\r` },
        { prompt: /Repeat the password: $/, keys: `${PASSWORD}!\r` },
      ]);
      expect(mismatch.code, mismatch.screen).to.equal(1);
      expect(mismatch.screen).to.match(/error: the two passwords differ; nothing was changed/);
      const cancelled = await runOnTerminal(['users', 'create', '--username', 'bob'], env, [{ prompt: /New password: $/, keys: 'half\u0003' }]);
      expect(cancelled.code, cancelled.screen).to.equal(1);
      expect(cancelled.screen).to.match(/error: cancelled at the password prompt; nothing was changed/);
      expect(json<UserJson[]>(await cli('users', 'list', '--json'))).to.deep.equal([]);
    });

    it('not on a terminal and no password option: refused with what to give', async function () {
      const run = await cli('users', 'create', '--username', 'carol', '--json');
      expect(run.code).to.equal(1);
      expect(JSON.parse(run.stderr)).to.include({ error: 'invalid_field', field: 'password' });
      expect(JSON.parse(run.stderr).message).to.match(/--password-stdin/);
    });
  });
});
