#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark (no HTTP): what the metrics add to the guard's cached path, the steady state of
 * a token in use (verified token, client status and revocation state all in memory). One real
 * runtime (dist/, SQLite :memory:), one client_credentials token, and the guard middleware called
 * on the same request object again and again, in three variants:
 *
 *   unmetered   the guard middleware with no meter (what it cost before issue 10)
 *   metered     the guard as `Portcullis.guard()` builds it: decision tally, guard latency
 *               histogram observation, verified-token cache hit tally
 *   prom-inc    reference: the same guard plus one prom-client `Counter.labels(...).inc()` per call,
 *               what a decision counter would cost without the tallies
 *
 * Usage: npm run build && node bench/guard-metrics.js
 * Env:   BENCH_OPS (calls per round and case, default 200000), BENCH_ROUNDS (default 5; cases
 *        interleaved, alternating order).
 * Reported per case: CPU nanoseconds per call (this process's user+system CPU divided by calls,
 * median round) and the difference to `unmetered`. Writes bench/results/guard-metrics.json.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const { Portcullis } = require(path.join(ROOT, 'dist', 'runtime', 'portcullis.js'));
const { resolveSettings } = require(path.join(ROOT, 'dist', 'config', 'settings.js'));
const { SqliteStore } = require(path.join(ROOT, 'dist', 'store', 'sqlite-store.js'));
const { createLogger } = require(path.join(ROOT, 'dist', 'logging', 'logger.js'));
const { Counter, Registry } = require('prom-client');

const OPS = Number(process.env.BENCH_OPS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main() {
  const settings = resolveSettings({
    issuer: 'http://bench.test',
    store: { sqlitePath: ':memory:' },
    // cacheMs at its maximum, so the statuses stay in memory across a round.
    cacheMs: 1000,
    applications: { echo: { audience: 'urn:bench:echo', roles: { reader: ['echo:read'] }, routes: [{ methods: ['GET'], path: '/echo/**', permission: 'echo:read' }] } },
  }, process.cwd());
  // A clock that stands still: every cached answer stays valid for the whole run.
  const fixed = Date.now();
  const portcullis = await Portcullis.open(settings, { store: new SqliteStore({ path: ':memory:', now: () => fixed }), now: () => fixed, logger: createLogger('error', () => undefined) });
  const { client } = await portcullis.clients.create({ name: 'bench', application: 'echo', roles: ['reader'] });
  const { access_token: token } = await portcullis.grants.find('client_credentials').handle({ params: new Map([['grant_type', 'client_credentials']]), client: { client: await portcullis.clients.find(client.clientId), method: 'client_secret_basic' } });

  const metered = portcullis.guard({ application: 'echo' });
  const unmetered = portcullis.guard({ application: 'echo' });
  unmetered.deps.meter = undefined; // bench only: the same guard without its meter
  const registry = new Registry();
  const extra = new Counter({ name: 'bench_total', help: 'bench', labelNames: ['application', 'result', 'reason'], registers: [registry] }).labels('echo', 'allowed', 'none');
  const meteredMw = metered.middleware();
  const cases = {
    unmetered: unmetered.middleware(),
    metered: meteredMw,
    'prom-inc': (req, res, next) => meteredMw(req, res, () => { extra.inc(); next(); }),
  };

  const request = () => ({ method: 'GET', url: '/echo/x', originalUrl: '/echo/x', headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] });
  const res = { setHeader() {}, getHeader() {}, end() {}, headersSent: false };
  let passed = 0;
  const next = (err) => { if (err) throw err; passed++; };

  // Warm-up: fill the caches, let V8 optimise.
  for (const mw of Object.values(cases)) for (let i = 0; i < 20_000; i++) mw(request(), res, next);
  await new Promise((r) => setTimeout(r, 50));
  if (passed !== 60_000) throw new Error(`the guard did not pass the warm-up requests synchronously (${passed})`);

  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? Object.keys(cases).reverse() : Object.keys(cases);
    for (const name of order) {
      const mw = cases[name];
      const reqs = Array.from({ length: 1000 }, request);
      const cpu = process.cpuUsage();
      for (let i = 0; i < OPS; i++) mw(reqs[i % 1000], res, next);
      const used = process.cpuUsage(cpu);
      samples[name].push(((used.user + used.system) * 1000) / OPS);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(samples.unmetered);
  const results = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, { cpuNsPerCall: Math.round(median(xs)), overNs: Math.round(median(xs) - base) }]));
  console.log(`guard cached path, ${OPS} calls x ${ROUNDS} rounds, Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log('case        CPU ns/call   over unmetered');
  for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(12)}${String(r.cpuNsPerCall).padStart(11)}   ${r.overNs >= 0 ? '+' : ''}${r.overNs}`);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'guard-metrics.json'), JSON.stringify({ node: process.version, ops: OPS, rounds: ROUNDS, results }, null, 2) + '\n');
  await portcullis.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
