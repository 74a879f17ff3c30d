/**
 * `npm run bench:memory`: the memory suite alone (`npm run bench` runs it with the others). How
 * much live heap the plain Express guard (dist/index.js) keeps per verified token in its cache:
 * Portcullis's own tokens and a trusted issuer's, ES256 and RS256, 100,000 distinct tokens each
 * (BENCH_MEMORY_TOKENS). Needs `npm run build`. Method: bench/memory/README.md.
 */
import { printRows } from '../table';
import { run } from './run';
import { memorySettings } from './settings';

run(memorySettings())
  .then((result) => {
    process.stdout.write(`\n${printRows(result.rows)}\n`);
    if (!result.valid) process.exitCode = 1;
  })
  .catch((err: unknown) => {
    process.stderr.write(`\nbench:memory failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
