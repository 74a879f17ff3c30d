/**
 * `npm run bench:issuer`: the issuer suite alone (`npm run bench` runs its client-credentials
 * part with the others). Portcullis (SQLite, Redis) beside node-oidc-provider 9, same machine,
 * same run, and jose's signing alone; settings and method in bench/issuer/README.md.
 */
import { printRows } from '../table';
import { run } from './run';
import { settingsFromEnv } from './settings';

run(settingsFromEnv())
  .then((result) => {
    process.stdout.write(`\n${printRows(result.rows)}\n`);
    if (!result.valid) process.exitCode = 1;
  })
  .catch((err: unknown) => {
    process.stderr.write(`\nbench:issuer failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
