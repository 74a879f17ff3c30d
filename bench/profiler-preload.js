'use strict';
/**
 * Preloaded into the gateway by `BENCH_CPU_PROF=1 npm run bench` (node -r bench/profiler-preload.js):
 * each SIGUSR2 toggles the V8 sampling profiler, so every measured run gets its own profile
 * instead of one profile mixing start-up and all three pipelines. On stop, the profile is written
 * to $BENCH_PROF_DIR/<label>.cpuprofile, where <label> is read from $BENCH_PROF_DIR/label (the
 * benchmark writes it before signalling). Open the files in Chrome DevTools or summarise them
 * with `node bench/profile-summary.js <file>`.
 */
const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');

const dir = process.env.BENCH_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  let running = false;
  let busy = Promise.resolve();
  process.on('SIGUSR2', () => {
    busy = busy.then(async () => {
      if (!running) {
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROF_INTERVAL_US || 200) });
        await post('Profiler.start');
        running = true;
        fs.writeFileSync(path.join(dir, 'started'), String(Date.now()));
      } else {
        const { profile } = await post('Profiler.stop');
        running = false;
        let label = 'profile';
        try {
          label = fs.readFileSync(path.join(dir, 'label'), 'utf8').trim() || label;
        } catch {
          // no label file: keep the default name
        }
        fs.writeFileSync(path.join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
      }
    }).catch((err) => process.stderr.write(`profiler-preload: ${err && err.stack ? err.stack : err}\n`));
  });
}
