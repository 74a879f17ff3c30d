#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark (no HTTP): what the gateway's first middleware (dist/http/request-context.js)
 * costs per request, in one process, on fake requests and responses:
 *
 *   off           defaults: no trusted proxies, no access log (client = TCP peer, new request id)
 *   list          trustedProxies: ["10.0.0.0/8", "fd00::/8"], X-Forwarded-For with 3 entries
 *   hops          trustedProxies: 2, the same header
 *   log           "list" plus the access log line (built, JSON-encoded, handed to a no-op writer)
 *
 * Usage: npm run build && node bench/request-context.js
 * Env:   BENCH_ITERATIONS (per case and round, default 200000), BENCH_ROUNDS (default 5).
 * Reported per case: nanoseconds of CPU time per request (median round). Compare with the ~250 µs
 * of gateway CPU a guarded request costs (bench/README.md).
 *
 * Figures (2026-12-02, 2 shared cores, BENCH_ITERATIONS=100000 BENCH_ROUNDS=3), ns CPU / request:
 *   off 266, list 2311, hops 818, log 5089: the access log and a CIDR list add 2 to 5 µs, about
 *   1 to 2 % of a guarded request. (With net.BlockList.check instead of src/http/cidr.ts, "list"
 *   was 7412: BlockList builds a SocketAddress on every check.)
 */
const { EventEmitter } = require('node:events');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const { requestContext } = require(path.join(ROOT, 'dist', 'http', 'request-context.js'));

const ITERATIONS = Number(process.env.BENCH_ITERATIONS) || 200_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
const noop = () => undefined;

function fakeExchange() {
  const req = { socket: { remoteAddress: '10.1.2.3' }, method: 'GET', url: '/echo/hello?x=1', headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.9.9.9', 'x-forwarded-proto': 'https', 'x-request-id': 'edge-1' } };
  const res = new EventEmitter();
  Object.assign(res, { statusCode: 200, headersSent: true, writableFinished: true, headers: {}, getHeader: noop, setHeader: noop });
  res.headersSent = false;
  return { req, res };
}

const base = { forwardedHeader: 'x-forwarded-for', accessLog: { enabled: false, destination: 'stdout' } };
const cases = {
  off: requestContext({ ...base, trustedProxies: [] }, noop),
  list: requestContext({ ...base, trustedProxies: ['10.0.0.0/8', 'fd00::/8'] }, noop),
  hops: requestContext({ ...base, trustedProxies: 2 }, noop),
  log: requestContext({ ...base, trustedProxies: ['10.0.0.0/8', 'fd00::/8'], accessLog: { enabled: true, destination: 'stdout' } }, noop),
};

function run(middleware) {
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const { req, res } = fakeExchange();
    middleware(req, res, noop);
    res.headersSent = true;
    res.emit('finish');
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ITERATIONS;
}

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
run(cases.off); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? Object.keys(cases).reverse() : Object.keys(cases);
  for (const name of order) results[name].push(run(cases[name]));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const baseline = median(results.off);
console.log('case   ns CPU / request   vs off');
for (const [name, values] of Object.entries(results)) {
  const ns = median(values);
  console.log(`${name.padEnd(6)} ${ns.toFixed(0).padStart(17)}   ${(ns - baseline >= 0 ? '+' : '') + (ns - baseline).toFixed(0)} ns`);
}
