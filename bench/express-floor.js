#!/usr/bin/env node
'use strict';
/**
 * The floor under a token endpoint, and what Express adds to it: the same minimal client
 * credentials answer (read the form body, sign an ES256 access token with jose, write the JSON
 * with `Cache-Control: no-store`) served three ways, side by side under the same autocannon load:
 *
 *   node      node:http's request listener, nothing else
 *   express   the same handler as an Express 4 route (`app.post`)
 *   gateway   the same handler behind an app built as Express Gateway builds its own
 *             (`x-powered-by` off, `passport.initialize()`, then a router), i.e. where a plugin's
 *             route runs
 *
 * No client authentication, store or metrics: Portcullis's token endpoint does all of that on
 * top. This is why `POST /oauth2/token` goes ahead of Express in the gateway
 * (src/plugin/token-lane.ts): on some machines Express's per-request work (it gives the request
 * and the response new prototypes, parses the query, walks its layers) costs more than the
 * ES256 signature.
 *
 * Usage: node bench/express-floor.js
 * Env:   BENCH_DURATION (s per measured run, default 5), BENCH_ROUNDS (default 3; the three
 *        servers are interleaved round by round), BENCH_CONNECTIONS (default 10).
 * Reported: req/s and the server process's CPU per request (user + system, every thread: jose
 * signs on libuv's pool), median over rounds, and each one's CPU over `node`.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const MODES = ['node', 'express', 'gateway'];

async function serve(mode) {
  const { SignJWT, generateKeyPair } = require('jose');
  const { privateKey } = await generateKeyPair('ES256');
  const sign = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ client_id: 'bench-service', scope: 'api:read' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench-kid' })
      .setIssuer('http://127.0.0.1')
      .setSubject('bench-service')
      .setAudience('urn:bench:api')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(privateKey);
  };
  const handle = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (params.get('grant_type') !== 'client_credentials') {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end('{"error":"unsupported_grant_type"}');
        return;
      }
      const body = JSON.stringify({ access_token: await sign(), token_type: 'Bearer', expires_in: 300, scope: 'api:read' });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', Pragma: 'no-cache' });
      res.end(body);
    });
  };
  let listener = handle;
  if (mode !== 'node') {
    const express = require('express');
    const app = express();
    if (mode === 'gateway') {
      app.set('x-powered-by', false);
      app.use(require('passport').initialize());
      const router = express.Router();
      router.post('/oauth2/token', handle);
      app.use(router);
    } else {
      app.post('/oauth2/token', handle);
    }
    listener = app;
  }
  const server = http.createServer(listener);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const autocannon = require('autocannon');
  const duration = Number(process.env.BENCH_DURATION || 5);
  const rounds = Number(process.env.BENCH_ROUNDS || 3);
  const connections = Number(process.env.BENCH_CONNECTIONS || 10);
  const servers = {};
  for (const mode of MODES) {
    const child = fork(__filename, ['--serve', mode], { stdio: 'inherit' });
    servers[mode] = { child, port: await new Promise((resolve) => child.once('message', resolve)), rate: [], cpu: [] };
  }
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...MODES].reverse() : MODES;
      for (const mode of order) {
        const s = servers[mode];
        const opts = {
          url: `http://127.0.0.1:${s.port}/oauth2/token`,
          method: 'POST',
          connections,
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic YmVuY2gtc2VydmljZTpzZWNyZXQ=' },
          body: 'grant_type=client_credentials&scope=api%3Aread',
        };
        await autocannon({ ...opts, duration: 1 }); // warm-up, not measured
        const before = cpuMs(s.child.pid);
        const result = await autocannon({ ...opts, duration });
        const used = cpuMs(s.child.pid) - before;
        if (result.non2xx || result.errors) throw new Error(`${mode}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        s.rate.push(result.requests.total / duration);
        s.cpu.push((used * 1000) / result.requests.total);
      }
    }
    const floor = median(servers.node.cpu);
    console.log(`${rounds} rounds of ${duration} s, ${connections} connections, node ${process.version}`);
    console.log('server    req/s  CPU µs/request  over node');
    for (const mode of MODES) {
      const cpu = median(servers[mode].cpu);
      console.log(`${mode.padEnd(8)} ${String(Math.round(median(servers[mode].rate))).padStart(6)}  ${String(Math.round(cpu)).padStart(14)}  ${mode === 'node' ? '' : `+${Math.round(cpu - floor)} µs`}`);
    }
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
  }
}

if (process.argv[2] === '--serve') serve(process.argv[3]);
else main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
