import { Command, Option } from 'commander';
import { print, table } from './output';
import { withRuntime } from './with-runtime';

/** `portcullis keys ...`: the issuer's signing keys. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('manage signing keys');

  keys
    .command('list')
    .description('list signing keys (public parts only)')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const list = await p.keys.describe();
        print(list, !!opts.json, () =>
          table(['KID', 'ALG', 'ACTIVE', 'CREATED', 'PUBLISHED UNTIL'], list.map((k) => [
            k.kid, k.alg, k.active ? 'yes' : '', new Date(k.createdAt).toISOString(), k.publishUntil ? new Date(k.publishUntil).toISOString() : '',
          ])),
        );
      }),
    );

  keys
    .command('rotate')
    .description('make a new signing key active; the old public key stays published until its tokens expire')
    .addOption(new Option('--algorithm <alg>', 'algorithm of the new key (default: the configured one)').choices(['RS256', 'ES256', 'EdDSA']))
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const key = await p.keys.rotate(opts.algorithm);
        const view = { kid: key.kid, alg: key.alg, createdAt: key.createdAt };
        print(view, !!opts.json, () => `new signing key ${key.kid} (${key.alg}) is active`);
      }),
    );

  return keys;
}
