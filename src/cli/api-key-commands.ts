import { Command } from 'commander';
import { print } from './output';
import { cliActor, withRuntime } from './with-runtime';

const iso = (ms: number) => new Date(ms).toISOString();

export const apiKeyNotice = (apiKey: string) => `api_key:       ${apiKey}\n\nStore the API key now: it is shown only this once.`;

/**
 * `portcullis clients api-key show|issue|rotate|revoke <clientId>`: the client's API key, sent
 * beside its access tokens where a guard requires one (`apiKey: required`). Audited as the CLI.
 */
export function apiKeyCommand(): Command {
  const command = new Command('api-key').description("manage a client's API key (shown once; sent in X-API-Key beside its access tokens where a guard requires it)");

  command
    .command('show <clientId>')
    .description('when the current key was issued (the key itself is never shown again)')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        await p.admin.getApp(clientId);
        const key = await p.admin.apiKeyOf(clientId);
        print({ client_id: clientId, api_key: key ? { issued_at: iso(key.issuedAt) } : null }, !!opts.json, () => (key ? `API key issued ${iso(key.issuedAt)}` : 'no API key'));
      }),
    );

  for (const [name, description] of [
    ['issue', 'issue an API key; a key the client had stops working at once'],
    ['rotate', 'issue a new API key; the old one stops working at once'],
  ] as const) {
    command
      .command(`${name} <clientId>`)
      .description(description)
      .option('--json', 'print JSON')
      .action((clientId: string, opts) =>
        withRuntime(!!opts.json, async (p) => {
          const issued = await p.admin.issueApiKey(cliActor(), clientId);
          print({ client_id: clientId, api_key: { api_key: issued.apiKey, issued_at: iso(issued.issuedAt) } }, !!opts.json, () => `client_id:     ${clientId}\n${apiKeyNotice(issued.apiKey)}`);
        }),
      );
  }

  command
    .command('revoke <clientId>')
    .description('revoke the API key: requests that need it are refused from now on')
    .option('--json', 'print JSON')
    .action((clientId: string, opts) =>
      withRuntime(!!opts.json, async (p) => {
        await p.admin.revokeApiKey(cliActor(), clientId);
        print({ client_id: clientId, api_key: null }, !!opts.json, () => `API key of ${clientId} revoked`);
      }),
    );
  return command;
}
