import { Command } from 'commander';
import type { RoleDefinition } from '../applications/permissions';
import { print, table } from './output';
import { cliActor, withRuntime } from './with-runtime';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A role as --json prints it: the same fields as the admin API. */
function roleJson(r: RoleDefinition) {
  return { name: r.name, description: r.description ?? null, permissions: r.permissions, source: r.source, read_only: r.source === 'settings' };
}

function describe(role: RoleDefinition): string {
  return [
    `name:         ${role.name}`,
    ...(role.description ? [`description:  ${role.description}`] : []),
    `permissions:  ${role.permissions.join(', ') || '(none)'}`,
    `source:       ${role.source === 'settings' ? 'settings (YAML, read-only)' : 'admin'}`,
  ].join('\n');
}

/**
 * `portcullis roles ...`: the roles of an application. Roles from the settings (YAML) are listed
 * read-only; admins create, rename, edit and delete their own, each change audited as the CLI.
 */
export function rolesCommand(): Command {
  const roles = new Command('roles').description("manage the roles of an application (a name, a description, some of the application's declared permissions)");

  roles
    .command('list')
    .description('list the roles of an application: from the settings (read-only) and made by admins')
    .argument('<application>', 'a declared application')
    .option('--json', 'print JSON')
    .action((application: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const list = await p.admin.listRoles(application);
        print(list.map(roleJson), !!opts.json, () =>
          table(['NAME', 'SOURCE', 'PERMISSIONS', 'DESCRIPTION'], list.map((r) => [r.name, r.source, r.permissions.join(' '), r.description ?? ''])),
        );
      }),
    );

  roles
    .command('show')
    .description('show a role and the clients and users that hold it')
    .argument('<application>', 'a declared application')
    .argument('<role>', 'a role of that application')
    .option('--json', 'print JSON')
    .action((application: string, role: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const { holders, ...found } = await p.admin.getRole(application, role);
        const held = { clients: holders.clients.map((c) => ({ client_id: c.clientId, name: c.name })), users: holders.users.map((u) => ({ id: u.userId, username: u.username })) };
        print({ ...roleJson(found), holders: held }, !!opts.json, () =>
          [describe(found), `clients:      ${holders.clients.map((c) => `${c.name} (${c.clientId})`).join(', ') || '(none)'}`, `users:        ${holders.users.map((u) => u.username).join(', ') || '(none)'}`].join('\n'),
        );
      }),
    );

  roles
    .command('create')
    .description('create a role in an application')
    .argument('<application>', 'a declared application')
    .requiredOption('--name <name>', 'the role name: 1-64 letters, digits, _ . : -')
    .option('--permission <permission>', 'a permission the application declares (repeat for several)', collect, [])
    .option('--description <text>', 'what the role is for (at most 500 characters)')
    .option('--json', 'print JSON')
    .action((application: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const role = await p.admin.createRole(cliActor(), application, { name: opts.name, description: opts.description, permissions: opts.permission });
        print(roleJson(role), !!opts.json, () => describe(role));
      }),
    );

  roles
    .command('update')
    .description('rename a role or change its description or permissions (roles from the settings are read-only)')
    .argument('<application>', 'a declared application')
    .argument('<role>', 'a role made by an admin')
    .option('--name <name>', 'a new name; the clients and users holding the role keep it under the new name')
    .option('--permission <permission>', 'replaces the permissions (repeat for several)', collect)
    .option('--no-permissions', 'remove every permission')
    .option('--description <text>', 'a new description ("" removes it)')
    .option('--json', 'print JSON')
    .action((application: string, name: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const permissions: string[] | undefined = opts.permissions === false ? [] : opts.permission;
        const role = await p.admin.updateRole(cliActor(), application, name, { name: opts.name, description: opts.description, permissions });
        print(roleJson(role), !!opts.json, () => describe(role));
      }),
    );

  roles
    .command('delete')
    .description('delete a role; one that clients or users hold is refused, naming them, unless --remove-from-holders')
    .argument('<application>', 'a declared application')
    .argument('<role>', 'a role made by an admin')
    .option('--remove-from-holders', 'take the role from every client and user that holds it, then delete it')
    .option('--json', 'print JSON')
    .action((application: string, name: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const role = await p.admin.deleteRole(cliActor(), application, name, { removeFromHolders: !!opts.removeFromHolders });
        print(roleJson(role), !!opts.json, () => `deleted role ${role.name} of ${application}`);
      }),
    );

  return roles;
}
