/**
 * `npm run bench:gateway`: the gateway suite alone (`npm run bench` runs it with the others).
 * End-to-end throughput of the guard: four Express Gateway pipelines in one gateway process, in
 * front of the same echo upstream, differing only in their auth policy (noauth: proxy only; guard:
 * portcullis-guard + proxy; foreign: portcullis-guard with a token of a local JWKS issuer the
 * application trusts; egjwt: Express Gateway's jwt policy, RS256 with Portcullis' key). guard,
 * egjwt and foreign are measured warm (one token) and cold (BENCH_TOKENS distinct ones in rotation).
 *
 * Usage: npm run build && npm run bench:gateway   (bench/gateway/README.md explains the output)
 * Env:   BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3; 0 skips), BENCH_CONNECTIONS (10),
 *        BENCH_ROUNDS (3), BENCH_PIPELINING (1), BENCH_RATE (req/s, default 0 = as fast as possible:
 *        fixed-rate mode, compare CPU per request and latency), BENCH_QUIET_WAIT (s, default 20; 0
 *        disables) / BENCH_QUIET_PERCENT (25): before each run, wait until other processes use less
 *        than that % of a core, BENCH_SAME_UPSTREAM=1 (noauth and egjwt requests also carry the guard's
 *        identity headers), BENCH_CPU_PROF=1 (profile the gateway during each measured run; slower),
 *        BENCH_KEEP_TMP=1 (keep the temp dir), BENCH_TOKENS (11000: distinct tokens per cold target),
 *        BENCH_GATEWAY_TARGETS (all, or a comma list), BENCH_GATEWAY_PORT_BASE / BENCH_PORT_BASE
 *        (gateway on +0, echo upstream on +1; 0 = free ports). Everything listens on 127.0.0.1 only.
 */
import { printRows } from '../table';
import { run } from './run';
import { settingsFromEnv } from './settings';

run(settingsFromEnv())
  .then((result) => {
    process.stdout.write(`\n${printRows(result.rows)}\n`);
    if (!result.valid) throw new Error('non-2xx responses or errors during measurement: the figures are not valid');
  })
  .catch((err: unknown) => {
    process.stderr.write(`\nbench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
