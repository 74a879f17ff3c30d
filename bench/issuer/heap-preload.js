'use strict';
/**
 * Preloaded (`node -r`) into every issuer process the issuer benchmark starts. On SIGWINCH it runs
 * a full garbage collection and writes process.memoryUsage() as JSON to $BENCH_HEAP_FILE, so the
 * sizing table can give the live heap beside the RSS (which holds V8's headroom and allocator
 * arenas, not only live data). Without BENCH_HEAP_FILE it does nothing.
 */
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  process.on('SIGWINCH', () => {
    gc();
    gc();
    fs.writeFileSync(file, JSON.stringify(process.memoryUsage()));
  });
}
