#!/usr/bin/env node
'use strict';
/**
 * Redis commands per 1,000 guarded requests, with the guard's caches polling the store every
 * cacheMs (invalidation.push: false, the behaviour before issue 10) and with push invalidation
 * (Redis pub/sub, the default). Issue 10, part 7.
 *
 * The guard runs in plain Express on a Redis store, over real HTTP on 127.0.0.1, against a
 * redis-server of its own (a random free port; BENCH_REDIS_URL to use another one, whose
 * INFO commandstats must then be free of other traffic). The product clock is injected and moves
 * BENCH_MS_PER_REQUEST (default 1) per request, i.e. 1,000 requests per second per instance, so the
 * figures do not depend on how fast this machine is.
 *
 * Traffic: BENCH_TOKENS (default 10,000) distinct tokens of BENCH_CLIENTS (default 100) clients;
 * every token is used once first (warm-up, counted apart), then BENCH_WINDOWS (default 5) windows of
 * 1,000 requests each, on tokens drawn at random, counted with INFO commandstats (delta).
 *
 * Usage: npm run build && node bench/redis-commands.js
 */
const { spawn } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const { randomUUID } = require('node:crypto');
const express = require('express');
const { createClient } = require('redis');
const { resolveSettings } = require('../dist/config/settings');
const { Portcullis } = require('../dist/runtime/portcullis');
const { createLogger } = require('../dist/logging/logger');

const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const TOKENS = env('BENCH_TOKENS', 10_000);
const CLIENTS = env('BENCH_CLIENTS', 100);
const WINDOWS = env('BENCH_WINDOWS', 5);
const MS_PER_REQUEST = env('BENCH_MS_PER_REQUEST', 1);
const CONCURRENCY = 10;
const AUDIENCE = 'urn:portcullis:application:echo';

process.env.PORTCULLIS_SECRET_HASH_KEY ??= Buffer.alloc(32, 7).toString('base64url');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRedis() {
  if (process.env.BENCH_REDIS_URL) return { url: process.env.BENCH_REDIS_URL, stop: async () => undefined };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return { url: `redis://127.0.0.1:${port}`, stop: async () => { child.kill('SIGKILL'); await new Promise((r) => child.once('exit', r)); } };
}

async function commandCalls(admin) {
  const calls = {};
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

function delta(before, after) {
  const made = {};
  for (const [name, n] of Object.entries(after)) if (name !== 'info' && n - (before[name] ?? 0) > 0) made[name] = n - (before[name] ?? 0);
  return made;
}

/** Sends `tokens` as guarded requests, CONCURRENCY at a time, moving the product clock per request. */
async function send(port, tokens, now, agent) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      now.ms += MS_PER_REQUEST;
      const status = await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/echo/hello', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        }).on('error', reject);
      });
      if (status !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed) throw new Error(`${failed} guarded requests were refused: the benchmark measures a broken guard`);
}

async function measure(redisUrl, admin, push) {
  const now = { ms: Date.now() };
  const settings = resolveSettings({
    issuer: 'http://127.0.0.1',
    store: { type: 'redis', redisUrl, redisKeyPrefix: `bench:${randomUUID()}:` },
    keys: { algorithm: 'EdDSA' },
    invalidation: { push },
    applications: { echo: { audience: AUDIENCE, roles: { reader: ['echo:read'] }, routes: [{ methods: ['GET'], path: '/echo/**', permission: 'echo:read' }] } },
  }, process.cwd());
  const portcullis = await Portcullis.open(settings, { now: () => now.ms, logger: createLogger('error', () => undefined) });
  const app = express();
  app.use('/echo', portcullis.guard({ application: 'echo' }).middleware());
  app.get('/echo/hello', (_req, res) => res.end('ok'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const clients = [];
    for (let i = 0; i < CLIENTS; i++) clients.push((await portcullis.clients.create({ name: `bench ${i}`, application: 'echo', roles: ['reader'] })).client.clientId);
    const tokens = [];
    for (let i = 0; i < TOKENS; i++) {
      const clientId = clients[i % CLIENTS];
      tokens.push((await portcullis.tokens.issue({ clientId, subject: clientId, audience: AUDIENCE, roles: ['reader'] })).token);
    }
    if (push) while (portcullis.invalidation.mode !== 'push') await new Promise((r) => setTimeout(r, 50));
    let before = await commandCalls(admin);
    await send(port, tokens, now, agent);
    const warmUp = delta(before, await commandCalls(admin));
    const windows = [];
    for (let w = 0; w < WINDOWS; w++) {
      const sample = Array.from({ length: 1000 }, () => tokens[Math.floor(Math.random() * tokens.length)]);
      before = await commandCalls(admin);
      await send(port, sample, now, agent);
      windows.push(delta(before, await commandCalls(admin)));
    }
    return { warmUp, windows };
  } finally {
    agent.destroy();
    await new Promise((r) => server.close(r));
    await portcullis.close();
  }
}

const total = (made) => Object.values(made).reduce((a, b) => a + b, 0);
const mean = (windows, pick) => Math.round(windows.reduce((a, w) => a + pick(w), 0) / windows.length);
const describe = (made) => Object.entries(made).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

async function main() {
  const redis = await startRedis();
  const admin = createClient({ url: redis.url });
  await admin.connect();
  try {
    const rows = [];
    for (const [name, push] of [['before: polling (invalidation.push false)', false], ['after: push (default)', true]]) {
      const { warmUp, windows } = await measure(redis.url, admin, push);
      rows.push({ name, warmUp, windows });
    }
    console.log(`\nRedis commands, guard in plain Express on a Redis store, ${TOKENS} tokens of ${CLIENTS} clients, ${1000 / MS_PER_REQUEST} req/s on the product clock, cacheMs 500\n`);
    console.log('| mode | per 1,000 requests (mean of ' + WINDOWS + ') | of which HMGET | of which PING (heartbeat) | first use of all ' + TOKENS + ' tokens |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const { name, warmUp, windows } of rows) {
      console.log(`| ${name} | ${mean(windows, total)} | ${mean(windows, (w) => w.hmget ?? 0)} | ${mean(windows, (w) => w.ping ?? 0)} | ${total(warmUp)} (${describe(warmUp)}) |`);
    }
    console.log('\nper window:');
    for (const { name, windows } of rows) console.log(`  ${name}: ${windows.map(describe).join(' / ')}`);
  } finally {
    await admin.close();
    await redis.stop();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
