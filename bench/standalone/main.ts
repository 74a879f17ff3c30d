/**
 * `npm run bench:standalone`: the standalone suite alone (`npm run bench` runs it with the
 * others). The guard as plain Express middleware (Portcullis's compiled `dist/index.js` API, a local JWKS
 * issuer configured as a trusted issuer) against express-oauth2-jwt-bearer, express-jwt +
 * jwks-rsa and no auth, on the same RS256 tokens, warm (one token) and cold (BENCH_TOKENS
 * distinct tokens in rotation); plus the guard in front of an opaque-token issuer with
 * introspection. Method and settings: bench/standalone/README.md.
 *
 * 1. Starts server.ts as a child process (the contenders must not share the load generator's
 *    event loop) and reads its ports and tokens.
 * 2. Sanity checks: good tokens pass, tampered ones and none are refused; otherwise it aborts.
 * 3. A process warm-up of every case, then interleaved rounds, order reversed every other round, each run after its own warm-up.
 * 4. Prints req/s and the server's CPU per request per contender and the guard/x ratios with their
 *    spread over rounds, and how many introspection requests the issuer saw; writes
 *    bench/results/standalone-latest.json.
 */
import { printRows } from '../table';
import { run } from './run';
import { readSettings } from './settings';

run(readSettings())
  .then((result) => {
    console.log(`\n${printRows(result.rows)}`);
    if (!result.valid) process.exitCode = 1;
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
