import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PACKAGE_DIR } from '../config/environment';
import { auditCommand } from './audit-command';
import { clientsCommand } from './clients-commands';
import { explainCommand } from './explain-command';
import { keysCommand } from './keys-commands';
import { routesCommand } from './routes-command';
import { rolesCommand } from './roles-commands';
import { storeCommand } from './store-commands';
import { usersCommand } from './users-commands';
import { fail } from './output';

/** The installed package's version, as `npm ls` shows it. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The `portcullis` command line. Building it must stay cheap (every command, and --help, pays for
 * it): a command group's file imports commander, ./output and types only, and its actions reach
 * the store through withRuntime (with-runtime.ts), which loads the runtime when an action runs
 * (with `require`, as src/store/open-store.ts says why). One line below per command group.
 */
export function program(): Command {
  const cli = new Command('portcullis')
    .description('Portcullis: an OAuth 2.0 / OpenID Connect issuer and the gateway policies that enforce its tokens')
    .version(packageVersion(), '-V, --version', 'print the version of Portcullis and exit')
    .showHelpAfterError();

  cli
    .command('start')
    .description('start the gateway and issuer with the configuration in PORTCULLIS_CONFIG_DIR (default: config/ of the package)')
    .option('--sample-upstream', 'also run the sample echo API the sample configuration protects')
    .option('--json', 'once ready, print one JSON line {status, issuer, port} on stdout (for supervisors and scripts); start-up errors as JSON on stderr')
    .action(async (opts) => {
      try {
        // Loaded only for `start`: it brings the start-up checks and, later, Express Gateway.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { start } = require('./start') as typeof import('./start');
        await start({ sampleUpstream: !!opts.sampleUpstream, json: !!opts.json });
      } catch (err) {
        fail(err, !!opts.json);
        process.exit(Number(process.exitCode) || 1);
      }
    });

  cli.addCommand(clientsCommand('clients'));
  cli.addCommand(clientsCommand('apps'));
  cli.addCommand(usersCommand());
  cli.addCommand(keysCommand());
  cli.addCommand(auditCommand());
  cli.addCommand(storeCommand());
  cli.addCommand(routesCommand());
  cli.addCommand(explainCommand());
  cli.addCommand(rolesCommand());
  return cli;
}

/**
 * Fix: usage errors (a missing required option, an unknown option) were printed by commander as
 * plain text even with --json, so a script could not parse them; print them as the same
 * `{error, message, field?}` object as every other failure.
 */
function jsonUsageErrors(command: Command): void {
  command.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => {
      const message = text.trim().replace(/^error: /, '');
      const field = /option '--([a-z-]+)/.exec(message)?.[1];
      write(JSON.stringify({ error: 'invalid_usage', message, ...(field ? { field } : {}) }) + '\n');
    },
  });
  command.commands.forEach(jsonUsageErrors);
}

/** Entry point used by bin/portcullis.js. */
export async function main(argv: string[]): Promise<void> {
  const cli = program();
  if (argv.includes('--json')) jsonUsageErrors(cli);
  await cli.parseAsync(argv);
}
