import { Command, Option } from 'commander';
import type { ClientView } from '../clients/client';
import type { CreatedClient } from '../clients/client-registry';
import { print, table } from './output';
import { withRuntime } from './with-runtime';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function describe(client: ClientView): string {
  return [
    `client_id:    ${client.clientId}`,
    `name:         ${client.name}`,
    `type:         ${client.type}`,
    `application:  ${client.application}`,
    `roles:        ${client.roles.join(', ') || '(none)'}`,
    `status:       ${client.status}`,
    `created:      ${new Date(client.createdAt).toISOString()}`,
  ].join('\n');
}

/** The JSON a script sees for a client (snake_case, like the protocol's own fields). */
export function clientJson(client: ClientView, clientSecret?: string) {
  return {
    client_id: client.clientId,
    // The secret is in the output of create and rotate-secret only: it is not stored anywhere.
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    name: client.name,
    ...(client.description ? { description: client.description } : {}),
    type: client.type,
    application: client.application,
    roles: client.roles,
    status: client.status,
    created_at: new Date(client.createdAt).toISOString(),
    updated_at: new Date(client.updatedAt).toISOString(),
    ...(client.secretIssuedAt ? { secret_issued_at: new Date(client.secretIssuedAt).toISOString() } : {}),
  };
}

const withSecret = ({ client, clientSecret }: CreatedClient) => clientJson(client, clientSecret);

const secretNotice = (secret?: string) =>
  secret ? `\nclient_secret: ${secret}\n\nStore the secret now: it is shown only this once.` : '';

/** `portcullis clients ...`: service credentials and their lifecycle. */
export function clientsCommand(): Command {
  const clients = new Command('clients').description('manage clients (credentials linked to one application)');

  clients
    .command('create')
    .description('create a client; prints its secret once')
    .requiredOption('--name <name>', 'display name (at most 255 characters)')
    .requiredOption('--application <name>', 'the one application this client is linked to')
    .option('--role <role>', 'a role of that application (repeat for several)', collect, [])
    .addOption(new Option('--type <type>', 'client type').choices(['service']).default('service'))
    .option('--description <text>', 'internal description (at most 500 characters)')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const created = await p.clients.create({ name: opts.name, application: opts.application, roles: opts.role, type: opts.type, description: opts.description });
        print(withSecret(created), !!opts.json, () => describe(created.client) + secretNotice(created.clientSecret));
      }),
    );

  clients
    .command('list')
    .description('list clients')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const list = await p.clients.list();
        print(list.map((c) => clientJson(c)), !!opts.json, () =>
          table(['CLIENT_ID', 'NAME', 'APPLICATION', 'ROLES', 'STATUS'], list.map((c) => [c.clientId, c.name, c.application, c.roles.join(','), c.status])),
        );
      }),
    );

  clients
    .command('show <clientId>')
    .description('show one client')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const client = await p.clients.get(clientId);
        print(clientJson(client), !!opts.json, () => describe(client));
      }),
    );

  clients
    .command('roles <clientId>')
    .description('replace the roles of a client; tokens issued from now on carry them')
    .option('--role <role>', 'a role (repeat for several; none removes all)', collect, [])
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const client = await p.clients.setRoles(clientId, opts.role);
        print(clientJson(client), !!opts.json, () => describe(client));
      }),
    );

  for (const [name, status, help] of [
    ['disable', 'disabled', 'disable a client: it cannot get tokens, and its tokens are refused within a second'],
    ['enable', 'active', 'enable a disabled client'],
  ] as const) {
    clients
      .command(`${name} <clientId>`)
      .description(help)
      .option('--json', 'print JSON')
      .action((clientId: string, opts) =>
        withRuntime(!!opts.json, async (p) => {
          const client = await p.clients.setStatus(clientId, status);
          print(clientJson(client), !!opts.json, () => describe(client));
        }),
      );
  }

  clients
    .command('rotate-secret <clientId>')
    .description('issue a new secret; the old one stops working at once')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const rotated = await p.clients.rotateSecret(clientId);
        print(withSecret(rotated), !!opts.json, () => describe(rotated.client) + secretNotice(rotated.clientSecret));
      }),
    );

  return clients;
}
