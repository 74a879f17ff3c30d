import { Command, Option } from 'commander';
import { print, table } from './output';
import { cliActor, withRuntime } from './with-runtime';

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
        const json = list.map((k) => ({
          kid: k.kid,
          alg: k.alg,
          active: k.active,
          created_at: new Date(k.createdAt).toISOString(),
          ...(k.retiredAt ? { retired_at: new Date(k.retiredAt).toISOString() } : {}),
          ...(k.publishUntil ? { publish_until: new Date(k.publishUntil).toISOString() } : {}),
          public_jwk: k.publicJwk,
        }));
        print(json, !!opts.json, () =>
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
    .option('--retire-now', 'withdraw the old key at once (a leaked key): every token it signed is refused within 30 seconds')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        const key = await p.admin.rotateSigningKey(cliActor(), opts.algorithm, { retireNow: !!opts.retireNow });
        const view = { kid: key.kid, alg: key.alg, created_at: new Date(key.createdAt).toISOString() };
        print(view, !!opts.json, () => `new signing key ${key.kid} (${key.alg}) is active`);
      }),
    );

  return keys;
}
