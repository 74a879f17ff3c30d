import { Command, Option } from 'commander';
import type { ClientView } from '../clients/client';
import type { CreatedClient } from '../clients/client-registry';
import type { Actor } from '../admin/admin-authorization';
import { clientJson } from '../clients/client-json';
import { ADMIN_ROLES } from '../users/user';
import type { AdminRuntime } from '../runtime/admin-runtime';
import { apiKeyCommand, apiKeyNotice } from './api-key-commands';
import { createHelpText } from './clients-help';
import { print, table } from './output';
import { cliActor, withRuntime } from './with-runtime';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function describe(client: ClientView): string {
  return [
    `client_id:    ${client.clientId}`,
    `name:         ${client.name}`,
    `type:         ${client.type}`,
    `application:  ${client.application}`,
    `roles:        ${client.roles.join(', ') || '(none)'}`,
    ...(client.redirectUris.length ? [`redirect URIs: ${client.redirectUris.join(' ')}`] : []),
    ...(client.allowedOrigins.length ? [`origins:      ${client.allowedOrigins.join(' ')}`] : []),
    `status:       ${client.status}`,
    `created:      ${new Date(client.createdAt).toISOString()}`,
  ].join('\n');
}

/** Runs one change (audited as the CLI) and prints the client it leaves. */
function showClient(opts: { json?: boolean }, change: (p: AdminRuntime, actor: Actor) => Promise<ClientView>): Promise<void> {
  return withRuntime(!!opts.json, async (p) => {
    const client = await change(p, cliActor());
    print(clientJson(client), !!opts.json, () => describe(client));
  });
}

const withSecret = ({ client, clientSecret }: CreatedClient) => clientJson(client, clientSecret);

const secretNotice = (secret?: string) =>
  secret ? `\nclient_secret: ${secret}\n\nStore the secret now: it is shown only this once.` : '';

/**
 * `portcullis clients ...` (service credentials for client credentials) and `portcullis apps ...`
 * (interactive apps: web with a secret, public with PKCE): one lifecycle, two entry points.
 */
export function clientsCommand(group: 'clients' | 'apps' = 'clients'): Command {
  const apps = group === 'apps';
  const clients = new Command(group).description(
    apps ? 'manage apps (OAuth clients for the authorization code flow, linked to one application)' : 'manage clients (credentials linked to one application)',
  );

  const create = clients
    .command('create')
    .description(apps ? 'create an app; prints its secret once (web apps)' : 'create a client; prints its secret once')
    .requiredOption('--name <name>', 'display name shown on the consent screen (at most 255 characters)')
    .requiredOption('--application <name>', 'the one application this credential is linked to')
    .option('--role <role>', 'a role of that application, for client credentials (repeat for several)', collect, [])
    .addOption(new Option('--type <type>', 'web: secret; public: PKCE, no secret; service: client credentials').choices(apps ? ['web', 'public', 'service'] : ['service']).default(apps ? 'web' : 'service'))
    .option('--description <text>', 'internal description (at most 500 characters)')
    .addOption(new Option('--admin-role <role>', 'let this service client call the admin API (automation)').choices([...ADMIN_ROLES]))
    .option('--api-key', 'also issue an API key with the credentials (printed once)')
    .option('--json', 'print JSON')
    .addHelpText('after', () => createHelpText(group));
  if (apps) {
    create
      .option('--redirect-uri <uri>', 'a redirect URI, matched exactly (any port on http://127.0.0.1 and http://[::1]); repeat for several; required for web and public apps', collect, [])
      .option('--origin <origin>', 'a browser origin allowed to call the token, revocation and userinfo endpoints (repeat)', collect, []);
  }
  create.action((opts) =>
    withRuntime(!!opts.json, async (p) => {
      const created = await p.admin.createApp(cliActor(), {
        name: opts.name,
        application: opts.application,
        roles: opts.role,
        type: opts.type,
        description: opts.description,
        redirectUris: opts.redirectUri,
        allowedOrigins: opts.origin,
        adminRole: opts.adminRole,
        apiKey: !!opts.apiKey,
      });
      const json = { ...withSecret(created), ...(created.apiKey ? { api_key: created.apiKey } : {}) };
      print(json, !!opts.json, () => describe(created.client) + secretNotice(created.clientSecret) + (created.apiKey ? `\n${apiKeyNotice(created.apiKey)}` : ''));
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
    .action((clientId: string, opts) => showClient(opts, (p) => p.clients.get(clientId)));

  clients
    .command('roles <clientId>')
    .description('replace the roles of a client; tokens issued from now on carry them')
    .option('--role <role>', 'a role (repeat for several; none removes all)', collect, [])
    .option('--json', 'print JSON')
    .action((clientId: string, opts) => showClient(opts, (p, actor) => p.admin.updateApp(actor, clientId, { roles: opts.role })));

  clients
    .command('update <clientId>')
    .description('edit the name, description, redirect URIs or origins (lists given replace the old ones)')
    .option('--name <name>', 'display name')
    .option('--description <text>', 'internal description')
    .option('--redirect-uri <uri>', 'redirect URI (repeat; replaces the list)', collect)
    .option('--origin <origin>', 'allowed CORS origin (repeat; replaces the list)', collect)
    .option('--json', 'print JSON')
    .action((clientId: string, opts) => showClient(opts, (p, actor) => p.admin.updateApp(actor, clientId, { name: opts.name, description: opts.description, redirectUris: opts.redirectUri, allowedOrigins: opts.origin })));

  const [off, on] = apps ? ['deactivate', 'reactivate'] : ['disable', 'enable'];
  clients
    .command(`${off} <clientId>`)
    .description('it can no longer get tokens; its refresh tokens and consents are revoked, its access tokens refused within a second')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) => showClient(opts, (p, actor) => p.admin.deactivateApp(actor, clientId)));
  clients
    .command(`${on} <clientId>`)
    .description('make it work again (users must authorize an app again)')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) => showClient(opts, (p, actor) => p.admin.reactivateApp(actor, clientId)));

  clients
    .command('rotate-secret <clientId>')
    .description('issue a new secret; the old one stops working at once')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        const rotated = await p.admin.regenerateSecret(cliActor(), clientId);
        print(withSecret(rotated), !!opts.json, () => describe(rotated.client) + secretNotice(rotated.clientSecret));
      }),
    );

  clients.addCommand(apiKeyCommand());
  return clients;
}
