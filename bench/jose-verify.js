#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark (no HTTP): the cost of verifying one Portcullis access token (RS256, 2048-bit
 * key, typ at+jwt, RFC 9068 claims), in one process, with
 *
 *   jose            jose.jwtVerify on every call (what the guard would cost without its cache)
 *   tv-cached       Portcullis TokenVerifier (dist/guard/token-verifier.js), same token again: the
 *                   guard's steady state, a cache hit
 *   tv-miss         TokenVerifier with a 1-entry cache and two alternating tokens: every call a
 *                   full verification through TokenVerifier (its overhead on top of jose)
 *   jsonwebtoken    require('jsonwebtoken') (v8, top-level dependency of express-gateway),
 *                   PEM string key, on every call
 *   eg-jsonwebtoken the jsonwebtoken that passport-jwt (express-gateway's `jwt` policy) actually
 *                   loads, with the PEM string the policy is configured with, on every call
 *   crypto-raw      reference floor: node:crypto.verify (synchronous) of the signature alone with
 *                   an imported KeyObject; no JOSE parsing, no claim checks
 *
 * Note: jose 5 on Node verifies through a promisified crypto.verify, i.e. on the libuv thread
 * pool: each call is a hop to a pool thread and back, which costs CPU and, when the other cores
 * are busy, latency. That is why `jose` costs about twice `crypto-raw`, and varies with load.
 *
 * Usage: npm run build && node bench/jose-verify.js
 * Env:   BENCH_DURATION (s of measurement per case, split over the rounds; default 5),
 *        BENCH_ROUNDS (default 5; cases are interleaved round by round, in alternating order).
 * Reported per case: ops/s of wall-clock time (best round: on a shared machine noise only ever
 * slows a round down), and CPU microseconds per op (this process's user+system CPU time divided
 * by ops, median round). The ratios use CPU time per op: everything here runs on the main thread,
 * so it measures the code's own cost and barely moves when other processes compete for the CPUs.
 * Writes bench/results/jose-verify.json.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const jose = require('jose');
const { TokenVerifier } = require(path.join(ROOT, 'dist', 'guard', 'token-verifier.js'));
const jsonwebtoken = require('jsonwebtoken');
const egJsonwebtoken = require(require.resolve('jsonwebtoken', {
  paths: [path.dirname(require.resolve('passport-jwt/package.json', { paths: [path.dirname(require.resolve('express-gateway/package.json'))] }))],
}));

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`${name} must be a positive number (got ${JSON.stringify(raw)})`);
  return n;
}
const DURATION_S = intFromEnv('BENCH_DURATION', 5);
const ROUNDS = Math.round(intFromEnv('BENCH_ROUNDS', 5));
const SLICE_MS = (DURATION_S * 1000) / ROUNDS;
const WARMUP_MS = Math.min(500, SLICE_MS);

const ISSUER = 'http://127.0.0.1:8080';
const AUDIENCE = 'urn:portcullis:application:echo';

async function issue(privateKey, kid) {
  const iat = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ client_id: 'bench-client', roles: ['echo-reader'] })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject('bench-client')
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .setJti(crypto.randomUUID())
    .sign(privateKey);
}

function tamper(token) {
  const parts = token.split('.');
  const i = Math.floor(parts[2].length / 2);
  parts[2] = parts[2].slice(0, i) + (parts[2][i] === 'A' ? 'B' : 'A') + parts[2].slice(i + 1);
  return parts.join('.');
}

/** Runs `fn` back to back for `ms`; returns wall ops/s and CPU us per op. Checks the clock every `batch` calls. */
async function timed(fn, ms, isAsync) {
  let ops = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  const batch = 64;
  if (isAsync) {
    while (now < end) {
      for (let i = 0; i < batch; i++) await fn();
      ops += batch;
      now = process.hrtime.bigint();
    }
  } else {
    while (now < end) {
      for (let i = 0; i < batch; i++) fn();
      ops += batch;
      now = process.hrtime.bigint();
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { opsPerSec: ops / (Number(now - start) / 1e9), cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

async function main() {
  // A key like Portcullis' own (src/keys/signing-key.ts): RS256, 2048 bits, kid = JWK thumbprint.
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  // The PEM exactly as bench/gateway/config-files.ts configures express-gateway's jwt policy with it.
  const pem = crypto.createPublicKey({ key: { ...jwk, kid, alg: 'RS256', use: 'sig' }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const token = await issue(privateKey, kid);
  const token2 = await issue(privateKey, kid);

  const keySource = {
    cachedKey: (k) => (k === kid ? { alg: 'RS256', publicKey } : undefined),
    verificationKey: async (k) => (k === kid ? { alg: 'RS256', publicKey } : undefined),
  };
  const cachedVerifier = new TokenVerifier(keySource, { issuer: ISSUER, leeway: 30 });
  const missVerifier = new TokenVerifier(keySource, { issuer: ISSUER, leeway: 30, cacheMaxBytes: 1 });
  let flip = false;

  const joseOptions = { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', clockTolerance: 30, requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'] };
  const jwtOptions = { algorithms: ['RS256'], audience: AUDIENCE, issuer: ISSUER };

  const cases = [
    { name: 'jose', label: 'jose jwtVerify every call', async: true, run: async (t = token) => (await jose.jwtVerify(t, publicKey, joseOptions)).payload },
    { name: 'tv-cached', label: 'TokenVerifier, cache hit', async: true, run: (t = token) => cachedVerifier.verify(t) },
    { name: 'tv-miss', label: 'TokenVerifier, cache miss', async: true, run: (t) => missVerifier.verify(t ?? ((flip = !flip) ? token : token2)) },
    { name: 'jsonwebtoken', label: `jsonwebtoken ${require('jsonwebtoken/package.json').version} (top-level)`, async: false, run: (t = token) => jsonwebtoken.verify(t, pem, jwtOptions) },
    {
      name: 'crypto-raw',
      label: 'node:crypto.verify, KeyObject (floor)',
      async: false,
      run: (t = token) => {
        const dot = t.lastIndexOf('.');
        if (!crypto.verify('sha256', Buffer.from(t.slice(0, dot)), publicKey, Buffer.from(t.slice(dot + 1), 'base64url'))) throw new Error('bad signature');
        return JSON.parse(Buffer.from(t.slice(t.indexOf('.') + 1, dot), 'base64url').toString('utf8'));
      },
    },
    {
      name: 'eg-jsonwebtoken',
      label: `jsonwebtoken ${require(require.resolve('jsonwebtoken/package.json', { paths: [path.dirname(require.resolve('passport-jwt/package.json'))] })).version} (used by EG jwt policy)`,
      async: false,
      run: (t = token) => egJsonwebtoken.verify(t, pem, jwtOptions),
    },
  ];

  const ORDER = ['jose', 'tv-cached', 'tv-miss', 'jsonwebtoken', 'eg-jsonwebtoken', 'crypto-raw'];
  cases.sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));

  // Every verifier must accept the token and reject a forged one, or its figure means nothing.
  for (const c of cases) {
    const claims = await c.run(token);
    if (!claims || claims.client_id !== 'bench-client' || claims.aud !== AUDIENCE) throw new Error(`${c.name}: did not return the token's claims`);
    let rejected = false;
    try {
      await c.run(tamper(token));
    } catch {
      rejected = true;
    }
    if (!rejected) throw new Error(`${c.name}: accepted a token with a tampered signature`);
  }

  process.stderr.write(`[jose-verify] ${ROUNDS} rounds x ${(SLICE_MS / 1000).toFixed(2)} s per case (plus ${WARMUP_MS} ms warm-up each), node ${process.version}\n`);
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const fn = () => c.run();
      await timed(fn, WARMUP_MS, c.async);
      samples[c.name].push(await timed(fn, SLICE_MS, c.async));
    }
  }

  const summary = {};
  for (const c of cases) {
    const rounds = samples[c.name];
    const cpuUsPerOp = median(rounds.map((r) => r.cpuUsPerOp));
    summary[c.name] = {
      label: c.label,
      opsPerSec: Math.max(...rounds.map((r) => r.opsPerSec)),
      medianOpsPerSec: median(rounds.map((r) => r.opsPerSec)),
      cpuUsPerOp,
      opsPerCpuSecond: 1e6 / cpuUsPerOp,
      rounds,
    };
  }
  // Speed-ups (> 1: the first is faster), from CPU time per op.
  const faster = (a, b) => summary[b].cpuUsPerOp / summary[a].cpuUsPerOp;
  const ratios = {
    tvCachedVsJose: faster('tv-cached', 'jose'),
    tvCachedVsEgJsonwebtoken: faster('tv-cached', 'eg-jsonwebtoken'),
    tvMissVsJose: faster('tv-miss', 'jose'),
    joseVsJsonwebtoken: faster('jose', 'jsonwebtoken'),
    joseVsEgJsonwebtoken: faster('jose', 'eg-jsonwebtoken'),
    cryptoRawVsJose: faster('crypto-raw', 'jose'),
  };

  const rows = [['case', 'what', 'ops/s (wall, best)', 'ops/s (wall, median)', 'CPU us/op (median)', 'ops per CPU-s']];
  for (const c of cases) {
    const x = summary[c.name];
    rows.push([c.name, c.label, x.opsPerSec.toFixed(0), x.medianOpsPerSec.toFixed(0), x.cpuUsPerOp.toFixed(2), x.opsPerCpuSecond.toFixed(0)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), ''];
  out.push('speed-ups (from CPU time per op):');
  out.push(`TokenVerifier (cache hit) / jose          : ${ratios.tvCachedVsJose.toFixed(1)}x`);
  out.push(`TokenVerifier (cache hit) / EG jsonwebtoken: ${ratios.tvCachedVsEgJsonwebtoken.toFixed(1)}x`);
  out.push(`TokenVerifier (cache miss) / jose         : ${ratios.tvMissVsJose.toFixed(3)}x`);
  out.push(`jose / jsonwebtoken (top-level)           : ${ratios.joseVsJsonwebtoken.toFixed(3)}x`);
  out.push(`jose / EG jsonwebtoken                    : ${ratios.joseVsEgJsonwebtoken.toFixed(3)}x`);
  out.push(`crypto-raw (floor) / jose                 : ${ratios.cryptoRawVsJose.toFixed(3)}x`);
  process.stdout.write(out.join('\n') + '\n');

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0] && os.cpus()[0].model,
    settings: { durationPerCaseS: DURATION_S, rounds: ROUNDS, warmupMs: WARMUP_MS, key: 'RSA 2048, RS256', figures: 'opsPerSec = wall-clock ops/s of the best round; medianOpsPerSec = median round; cpuUsPerOp = this process CPU time per op, median round (ratios use it)' },
    summary,
    ratios,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'jose-verify.json'), JSON.stringify(result, null, 2) + '\n');
  process.stderr.write('[jose-verify] results written to bench/results/jose-verify.json\n');
}

main().catch((err) => {
  process.stderr.write(`jose-verify failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
