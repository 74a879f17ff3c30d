import { Command, Option } from 'commander';
import { ValidationError } from '../errors/domain-errors';
import { ADMIN_ROLES, type UserView } from '../users/user';
import { userJson } from '../users/user-json';
import { print, table } from './output';
import { passwordFrom } from './password-prompt';
import { userIdOf } from './user-lookup';
import { cliActor, withRuntime } from './with-runtime';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--role echo:echo-reader` (repeatable) as `{ echo: ['echo-reader'] }`. */
function parseRoles(values: string[]): Record<string, string[]> {
  // No prototype, as the admin pages' rolesFrom: `--role __proto__:x` is an unknown application.
  const roles: Record<string, string[]> = Object.create(null);
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new ValidationError('roles', `--role must be application:role, got ${JSON.stringify(value)}`);
    (roles[value.slice(0, colon)] ??= []).push(value.slice(colon + 1));
  }
  return roles;
}

function describe(user: UserView): string {
  const roles = Object.entries(user.roles).map(([app, list]) => `${app}: ${list.join(', ')}`).join('; ');
  return [
    `user_id:   ${user.userId}`,
    `username:  ${user.username}`,
    `email:     ${user.email ?? ''}`,
    `name:      ${user.name ?? ''}`,
    `roles:     ${roles || '(none)'}`,
    `admin:     ${user.adminRole ?? 'no'}`,
    `status:    ${user.status}`,
  ].join('\n');
}

const adminOption = () => new Option('--admin-role <role>', 'administrative role for the admin area').choices([...ADMIN_ROLES, 'none']);

/** `portcullis users ...`: people who sign in, and their roles per application. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage users who sign in at the issuer');

  users
    .command('create')
    .description('create a user')
    .requiredOption('--username <username>', '2-64 characters: letters, digits, . _ @ -')
    .option('--email <email>', 'email address')
    .option('--name <name>', 'display name')
    .option('--role <application:role>', 'a role in an application (repeat for several)', collect, [])
    .addOption(adminOption())
    .option('--password-stdin', 'read the password from standard input (on a terminal: ask for it, without echo; the default there)')
    .option('--password <password>', 'the password (visible in shell history: prefer --password-stdin)')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const password = await passwordFrom(opts);
        const adminRole = opts.adminRole && opts.adminRole !== 'none' ? opts.adminRole : undefined;
        const user = await p.admin.createUser(cliActor(), { username: opts.username, password, email: opts.email, name: opts.name, roles: parseRoles(opts.role), adminRole });
        print(userJson(user), !!opts.json, () => describe(user));
      }),
    );

  users
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const list = await p.users.list();
        print(list.map(userJson), !!opts.json, () =>
          table(['USER_ID', 'USERNAME', 'EMAIL', 'ADMIN', 'STATUS'], list.map((u) => [u.userId, u.username, u.email ?? '', u.adminRole ?? '', u.status])),
        );
      }),
    );

  users
    .command('show <user>')
    .description('show one user, named by user id or username')
    .option('--json', 'print JSON')
    .action((name: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const user = await p.users.get(await userIdOf(p, name));
        print(userJson(user), !!opts.json, () => describe(user));
      }),
    );

  users
    .command('update <user>')
    .description('change roles, admin role, email, name or status of a user (named by user id or username); new tokens carry the new roles')
    .option('--role <application:role>', 'replace all roles with these (repeat; --no-roles to clear)', collect)
    .option('--no-roles', 'remove every role')
    .addOption(adminOption())
    .option('--email <email>', 'email address')
    .option('--name <name>', 'display name')
    .addOption(new Option('--status <status>', 'active or disabled (disabled: sign-in refused, grants revoked)').choices(['active', 'disabled']))
    .option('--json', 'print JSON')
    .action((name: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const userId = await userIdOf(p, name);
        const roles = opts.roles === false ? {} : opts.role ? parseRoles(opts.role) : undefined;
        const adminRole = opts.adminRole === undefined ? undefined : opts.adminRole === 'none' ? null : opts.adminRole;
        const user = await p.admin.updateUser(cliActor(), userId, { roles, adminRole, email: opts.email, name: opts.name, status: opts.status });
        print(userJson(user), !!opts.json, () => describe(user));
      }),
    );

  users
    .command('set-password <user>')
    .description('set a new password for a user (named by user id or username); signs the user out everywhere and revokes their apps\' refresh tokens')
    .option('--password-stdin', 'read the password from standard input (on a terminal: ask for it, without echo; the default there)')
    .option('--password <password>', 'the password (visible in shell history: prefer --password-stdin)')
    .option('--json', 'print JSON')
    .action((name: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const user = await p.admin.updateUser(cliActor(), await userIdOf(p, name), { password: await passwordFrom(opts) });
        print(userJson(user), !!opts.json, () => describe(user));
      }),
    );

  for (const [command, status, what] of [
    ['disable', 'disabled', 'sign-in refused, grants revoked'],
    ['enable', 'active', 'the user can sign in again'],
  ] as const) {
    users
      .command(`${command} <user>`)
      .description(`set a user's status to ${status} (named by user id or username): ${what}; the same as update --status ${status}`)
      .option('--json', 'print JSON')
      .action((name: string, opts) =>
        withRuntime(!!opts.json, async (p) => {
          const user = await p.admin.updateUser(cliActor(), await userIdOf(p, name), { status });
          print(userJson(user), !!opts.json, () => describe(user));
        }),
      );
  }

  return users;
}
