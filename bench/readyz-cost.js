#!/usr/bin/env node
'use strict';
/**
 * What readiness probes cost the store: a gateway in Redis mode, on a redis-server of this
 * script's own (so no other client's commands are counted), is probed at full speed on /readyz;
 * Redis's own counter (INFO commandstats, cmdstat_ping) says how many PINGs the probes caused.
 * Run once with the default health.cacheMs (250) and once with 0 (a ping per probe), to show what
 * the cache saves.
 *
 * Usage: npm run build && node bench/readyz-cost.js
 * Env:   BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 10).
 * Everything listens on 127.0.0.1 only; every process started here is stopped by its PID.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { createClient } = require('redis');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

async function waitFor(what, probe) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after 30 s`);
    await sleep(100);
  }
}

/** A copy of the sample config with health.cacheMs set. */
function configDir(cacheMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-readyz-'));
  for (const name of ['gateway.config.yml', 'system.config.yml']) {
    let text = fs.readFileSync(path.join(ROOT, 'config', name), 'utf8');
    if (name === 'system.config.yml') text = text.replace('    cacheMs: 500\n', `    cacheMs: 500\n    health:\n      cacheMs: ${cacheMs}\n`);
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function pings(redis) {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

async function measure(redisUrl, redis, cacheMs) {
  const port = await freePort();
  const gateway = spawn(process.execPath, [BIN, 'start', '--sample-upstream'], {
    env: {
      ...process.env,
      PORT: String(port),
      PORTCULLIS_ECHO_PORT: String(await freePort()),
      PORTCULLIS_CONFIG_DIR: configDir(cacheMs),
      PORTCULLIS_STORE: 'redis',
      PORTCULLIS_REDIS_URL: redisUrl,
      PORTCULLIS_LOG_LEVEL: 'warn',
      LOG_LEVEL: 'error',
      EG_DISABLE_CONFIG_WATCH: 'true',
    },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}/readyz`;
    await waitFor('gateway', async () => (await fetch(url, { headers: { connection: 'close' } })).status === 200);
    const before = await pings(redis);
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
    const caused = (await pings(redis)) - before;
    const probes = result.requests.total;
    return {
      'health.cacheMs': cacheMs,
      probes,
      'probes/s': Math.round(result.requests.average),
      'p99 ms': result.latency.p99,
      'non-2xx': result.non2xx,
      'Redis PINGs': caused,
      'PINGs per 1000 probes': Number(((caused / probes) * 1000).toFixed(2)),
      'PINGs/s': Number((caused / DURATION).toFixed(1)),
    };
  } finally {
    await stop(gateway);
  }
}

async function main() {
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = createClient({ url: redisUrl });
  try {
    await waitFor('redis-server', async () => (await redis.connect(), true));
    const rows = [];
    for (const cacheMs of [250, 0]) rows.push(await measure(redisUrl, redis, cacheMs));
    console.table(rows);
  } finally {
    await redis.close().catch(() => undefined);
    await stop(redisServer);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
