/**
 * How long one CLI command takes, as an operator waits for it: the median wall time of
 * `node bin/portcullis.js clients list --json` (issue 12: at most 0.25 s) over BENCH_CLI_RUNS runs (BENCH_CLI_WARMUP unmeasured first),
 * against an SQLite store in a temp folder that holds one client, beside `node -e 0` (Node's own
 * start, which no command can go under), `--version` and `--help` (the command line alone), and
 * `npx portcullis clients list --json` as the docs write it (npm's own start and bin lookup on top).
 * With BENCH_CLI_REDIS_URL set (a scratch Redis on 127.0.0.1), also the same command against
 * that Redis: its records go under a key prefix of their own (`bench-cli:<pid>:`) and are left
 * there. With BENCH_CLI_OTHER_BIN set to another checkout's bin/portcullis.js (built), also the
 * same command with that one, on the same store: a before/after in one run. Rows are measured
 * interleaved, one run of each per round.
 *
 *   npm run build && npm run bench:cli   (= tsx bench/cli/main.ts; `npm run bench` runs it with the others)
 *
 * Prints a table and writes bench/results/cli.json. Wall time is what the target is about;
 * it moves with machine load (other processes share the 2 cores), so the CPU time of each command
 * (user + system, from this process's children counters: 10 ms steps) is shown beside it.
 */
import { printRows } from '../table';
import { cliSettings, run } from './run';

run(cliSettings())
  .then((result) => process.stdout.write(`\n${printRows(result.rows)}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`\nbench:cli failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
