import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PACKAGE_DIR } from '../config/environment';
import { fail } from './output';

/** The installed package's version, as `npm ls` shows it. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The command groups after `start`, in the order `portcullis --help` lists them. Each group's file
 * is loaded when the group is built: a command builds only its own group (see `program`).
 */
const GROUPS: ReadonlyArray<readonly [name: string, build: () => Command]> = [
  ['clients', () => (require('./clients-commands') as typeof import('./clients-commands')).clientsCommand('clients')],
  ['apps', () => (require('./clients-commands') as typeof import('./clients-commands')).clientsCommand('apps')],
  ['users', () => (require('./users-commands') as typeof import('./users-commands')).usersCommand()],
  ['keys', () => (require('./keys-commands') as typeof import('./keys-commands')).keysCommand()],
  ['audit', () => (require('./audit-command') as typeof import('./audit-command')).auditCommand()],
  ['store', () => (require('./store-commands') as typeof import('./store-commands')).storeCommand()],
  ['routes', () => (require('./routes-command') as typeof import('./routes-command')).routesCommand()],
  ['explain', () => (require('./explain-command') as typeof import('./explain-command')).explainCommand()],
  ['roles', () => (require('./roles-commands') as typeof import('./roles-commands')).rolesCommand()],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The group a command line names (its first word that is not an option), if it names one. */
function groupNamed(argv: readonly string[]): string | undefined {
  const word = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return GROUPS.some(([name]) => name === word) ? word : undefined;
}

/**
 * The `portcullis` command line. Building it must stay cheap (every command, and --help, pays for
 * it): a command group's file imports commander, ./output and types only, and its actions reach
 * the store through withRuntime (with-runtime.ts), which loads the runtime when an action runs
 * (with `require`, as src/store/open-store.ts says why). Given the command line (`argv`), only the
 * group it names is built (`clients list` needs no users, keys or store commands); with no group
 * named (`--help`, `help`, a mistyped group), every group, so help and suggestions are complete.
 */
export function program(argv?: readonly string[]): Command {
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

  const named = argv && groupNamed(argv);
  for (const [name, build] of GROUPS) if (!named || name === named) cli.addCommand(build());
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
  const cli = program(argv);
  if (argv.includes('--json')) jsonUsageErrors(cli);
  await cli.parseAsync(argv);
}
