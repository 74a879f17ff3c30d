#!/usr/bin/env node
'use strict';
/**
 * End-to-end throughput benchmark: three Express Gateway pipelines in one gateway process, in
 * front of the same echo upstream, differing only in their auth policy:
 *
 *   noauth  /noauth/*  proxy only
 *   guard   /guard/*   portcullis-guard (application echo) + proxy
 *   egjwt   /egjwt/*   express-gateway's built-in `jwt` policy (RS256, Portcullis' public key) + proxy
 *
 * Usage: npm run build && npm run bench
 * Env:   BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
 *        BENCH_ROUNDS (default 3), BENCH_PIPELINING (default 1), BENCH_KEEP_TMP=1 (keep the temp dir),
 *        BENCH_QUIET_WAIT (s, default 20; 0 disables) / BENCH_QUIET_PERCENT (default 25): before each
 *        run, wait until other processes use less than that % of a core (shared machines),
 *        BENCH_RATE (req/s; default 0 = unlimited): fixed-rate mode, compare CPU per request and latency,
 *        BENCH_SAME_UPSTREAM=1 (diagnostic: noauth and egjwt requests also carry the identity headers
 *        the guard adds, so the upstream does identical work for all three targets),
 *        BENCH_CPU_PROF=1 (profile the gateway during each measured run, one .cpuprofile per run, kept
 *        in the temp dir; profiling slows the gateway, so such figures are not the reference ones).
 *
 * Everything listens on 127.0.0.1 only. See bench/README.md for how to read the output.
 */
const { spawn, execFile } = require('node:child_process');
const { createPublicKey } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const yaml = require('js-yaml');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const HOST = '127.0.0.1';
const RESULTS_DIR = path.join(__dirname, 'results');

function intFromEnv(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
  return n;
}

const SETTINGS = {
  duration: intFromEnv('BENCH_DURATION', 10),
  warmup: intFromEnv('BENCH_WARMUP', 3, 0),
  connections: intFromEnv('BENCH_CONNECTIONS', 10),
  rounds: intFromEnv('BENCH_ROUNDS', 3),
  pipelining: intFromEnv('BENCH_PIPELINING', 1),
  // Fixed-rate mode: every target gets the same request rate (req/s, all connections together);
  // compare gateway CPU per request and latency then, not req/s. 0 = as fast as possible.
  rate: intFromEnv('BENCH_RATE', 0, 0),
  workers: 1, // autocannon in this process: two cores are shared by the load generator and the gateway
};
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const WARMUP_REQUESTS_PER_TARGET = 5000;
const SAME_UPSTREAM = process.env.BENCH_SAME_UPSTREAM === '1';
const QUIET = { waitS: intFromEnv('BENCH_QUIET_WAIT', 20, 0), percent: intFromEnv('BENCH_QUIET_PERCENT', 25) };

/** The three targets, in the order of the first round. */
const TARGETS = [
  { name: 'noauth', path: '/noauth/bench', auth: false, label: '(a) proxy only' },
  { name: 'guard', path: '/guard/bench', auth: true, label: '(b) portcullis-guard + proxy' },
  { name: 'egjwt', path: '/egjwt/bench', auth: true, label: '(c) EG jwt (RS256) + proxy' },
];

const APPLICATION = 'echo';
const ROLE = 'echo-reader';

// ---------------------------------------------------------------------------------------------
// Child processes: tracked by PID, killed at the end, on error and on SIGINT/SIGTERM.

const children = new Map(); // pid -> { child, name, exited: Promise }
let currentCannon;
let tmpDir;
let failed = false;
let distFingerprintAtStart;

function killChild(pid, signal = 'SIGTERM') {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

async function stopChild(pid) {
  const entry = children.get(pid);
  if (!entry) return;
  killChild(pid, 'SIGTERM');
  const timer = setTimeout(() => killChild(pid, 'SIGKILL'), 5000);
  await entry.exited;
  clearTimeout(timer);
  children.delete(pid);
}

async function stopAll() {
  if (currentCannon) currentCannon.stop();
  await Promise.all([...children.keys()].map(stopChild));
}

process.on('exit', () => {
  for (const pid of children.keys()) killChild(pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the gateway\n`);
    stopAll().finally(() => {
      cleanupTmp();
      process.exit(130);
    });
  });
}

function cleanupTmp() {
  if (!tmpDir) return;
  if (process.env.BENCH_KEEP_TMP === '1' || CPU_PROF || failed) {
    process.stderr.write(`temporary files kept in ${tmpDir}\n`);
  } else {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A plain request with no keep-alive pool (setup traffic must not linger during measurements). */
async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers: { connection: 'close', ...headers }, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function decodeJwtPart(token, index) {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

/** Same token with one signature character changed (not the last one, whose low bits may be unused). */
function tamperSignature(token) {
  const parts = token.split('.');
  const sig = parts[2];
  const i = Math.floor(sig.length / 2);
  parts[2] = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
  return parts.join('.');
}

function assert(condition, message) {
  if (!condition) throw new Error(`sanity check failed: ${message}`);
}

/** utime+stime of a process in ms (Linux /proc; clock ticks are USER_HZ = 100). */
function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of the whole machine in ms, from /proc/stat: `tasks` (user, nice, system: time charged
 * to processes) and `interrupts` (irq, softirq: mostly the loopback TCP traffic of the benchmark
 * itself, charged to no process), plus `steal` (taken by the hypervisor).
 */
function systemCpuMs() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { tasks: (user + nice + system) * 10, interrupts: (irq + softirq) * 10, steal: (steal || 0) * 10 };
  } catch {
    return undefined;
  }
}

/**
 * On a shared machine, waits (up to BENCH_QUIET_WAIT seconds) until other processes use less than
 * BENCH_QUIET_PERCENT of a core over one second, so that runs compete with as little as possible.
 * Our gateway is idle between runs, so everything measured here is someone else's work.
 */
async function waitForQuiet() {
  if (!QUIET.waitS) return { waitedS: 0, otherPercent: undefined };
  const start = Date.now();
  let last;
  for (;;) {
    const a = systemCpuMs();
    const selfA = process.cpuUsage();
    if (!a) return { waitedS: 0, otherPercent: undefined };
    await sleep(1000);
    const b = systemCpuMs();
    const self = process.cpuUsage(selfA);
    last = Math.max(0, (b.tasks - a.tasks - (self.user + self.system) / 1000) / 10);
    const waitedS = (Date.now() - start) / 1000;
    if (last < QUIET.percent) return { waitedS, otherPercent: last };
    if (waitedS >= QUIET.waitS) {
      log(`  the machine is busy (other processes at ${last.toFixed(0)}% of a core); measuring anyway after ${waitedS.toFixed(0)} s`);
      return { waitedS, otherPercent: last };
    }
  }
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/**
 * system.config.yml: a copy of config/system.config.yml with the SQLite store in the temp dir and
 * the echo application's GET rule extended to the guard's path.
 */
function writeSystemConfig(dir, sqlitePath, publicPipelines) {
  const source = fs.readFileSync(path.join(ROOT, 'config', 'system.config.yml'), 'utf8');
  const doc = yaml.load(source);
  const p = doc && doc.plugins && doc.plugins.portcullis;
  if (!p) throw new Error('config/system.config.yml has no plugins.portcullis section');
  p.store = { ...p.store, type: 'sqlite', sqlitePath };
  // The pipelines without a portcullis-guard must be declared public, or start-up refuses them.
  p.publicPipelines = publicPipelines;
  const app = p.applications && p.applications[APPLICATION];
  if (!app) throw new Error(`config/system.config.yml declares no application ${APPLICATION}`);
  const readPermission = app.roles[ROLE] && app.roles[ROLE][0];
  if (!readPermission) throw new Error(`application ${APPLICATION} has no role ${ROLE}`);
  app.routes = [{ methods: ['GET', 'HEAD'], path: '/guard/**', permission: readPermission }, ...(app.routes || [])];
  fs.writeFileSync(path.join(dir, 'system.config.yml'), '# generated by bench/run.js\n' + yaml.dump(doc, { lineWidth: -1, forceQuotes: true, quotingType: "'" }));
  return { audience: app.audience };
}

/** gateway.config.yml: one endpoint and pipeline per target, all proxying to the same upstream. */
function writeGatewayConfig(dir, { port, echoUrl, jwt }) {
  const proxy = { proxy: [{ action: { serviceEndpoint: 'echo', changeOrigin: true } }] };
  const doc = {
    http: { port, hostname: HOST },
    apiEndpoints: {
      noauth: { host: '*', paths: ['/noauth', '/noauth/*'] },
      guard: { host: '*', paths: ['/guard', '/guard/*'] },
      egjwt: { host: '*', paths: ['/egjwt', '/egjwt/*'] },
    },
    serviceEndpoints: { echo: { url: echoUrl } },
    policies: ['proxy', 'portcullis-guard', 'jwt'],
    pipelines: {
      noauth: { apiEndpoints: ['noauth'], policies: [proxy] },
      guard: {
        apiEndpoints: ['guard'],
        policies: [{ 'portcullis-guard': [{ action: { application: APPLICATION } }] }, proxy],
      },
    },
  };
  if (jwt) {
    doc.pipelines.egjwt = {
      apiEndpoints: ['egjwt'],
      policies: [
        {
          jwt: [{
            action: {
              secretOrPublicKey: jwt.pem,
              jwtExtractor: 'authBearer',
              checkCredentialExistence: false,
              algorithms: ['RS256'],
              audience: jwt.audience,
              issuer: jwt.issuer,
            },
          }],
        },
        proxy,
      ],
    };
  }
  fs.writeFileSync(path.join(dir, 'gateway.config.yml'), '# generated by bench/run.js\n' + yaml.dump(doc, { lineWidth: -1, forceQuotes: true, quotingType: "'" }));
}

// ---------------------------------------------------------------------------------------------
// Gateway

function portcullisEnv(ctx) {
  return {
    ...process.env,
    PORTCULLIS_CONFIG_DIR: ctx.configDir,
    PORTCULLIS_HOME: ctx.dir,
    PORTCULLIS_SQLITE_PATH: ctx.sqlitePath,
    PORTCULLIS_STORE: 'sqlite',
    PORTCULLIS_HOST: HOST,
    PORT: String(ctx.port),
    PORTCULLIS_ISSUER: ctx.issuer,
    PORTCULLIS_ECHO_PORT: String(ctx.echoPort),
    PORTCULLIS_ECHO_URL: ctx.echoUrl,
    PORTCULLIS_LOG_LEVEL: 'warn',
    LOG_LEVEL: 'warn',
  };
}

async function startGateway(ctx, label) {
  const logFile = path.join(ctx.dir, `gateway-${label}.log`);
  const fd = fs.openSync(logFile, 'a');
  const nodeArgs = CPU_PROF ? ['-r', path.join(__dirname, 'profiler-preload.js')] : [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'start', '--sample-upstream'], {
    cwd: ctx.dir,
    env: { ...portcullisEnv(ctx), ...(CPU_PROF ? { BENCH_PROF_DIR: ctx.profDir } : {}) },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  let exitInfo;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    exitInfo = { code, signal };
    resolve(exitInfo);
  }));
  children.set(child.pid, { child, exited });
  log(`gateway (${label}) pid ${child.pid} on ${ctx.issuer}, echo upstream on ${ctx.echoUrl}, log ${logFile}`);

  const deadline = Date.now() + 30_000;
  const discovery = `${ctx.gatewayUrl}/.well-known/openid-configuration`;
  for (;;) {
    if (exitInfo) throw new Error(`gateway exited during start-up (${JSON.stringify(exitInfo)}):\n${tail(logFile)}`);
    try {
      const res = await request(discovery);
      if (res.status === 200 && res.json && res.json.issuer === ctx.issuer) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway not ready after 30 s:\n${tail(logFile)}`);
    await sleep(100);
  }
  return { pid: child.pid, logFile };
}

async function stopGateway(gw) {
  await stopChild(gw.pid);
}

/** Waits for a file the profiler preload writes (it runs in the gateway, asynchronously). */
async function waitForFile(file, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await sleep(20);
  }
}

/** Starts (label given) or stops (label undefined) the gateway's profiler; see profiler-preload.js. */
async function toggleProfiler(ctx, gw, label) {
  if (label !== undefined) {
    fs.rmSync(path.join(ctx.profDir, 'started'), { force: true });
    fs.writeFileSync(path.join(ctx.profDir, 'label'), label);
    killChild(gw.pid, 'SIGUSR2');
    await waitForFile(path.join(ctx.profDir, 'started'));
  } else {
    const label = fs.readFileSync(path.join(ctx.profDir, 'label'), 'utf8');
    killChild(gw.pid, 'SIGUSR2');
    await waitForFile(path.join(ctx.profDir, `${label}.cpuprofile`));
  }
}

function cli(ctx, args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ctx.dir, env: portcullisEnv(ctx), timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`portcullis ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

async function createClient(ctx) {
  const out = await cli(ctx, ['clients', 'create', '--name', 'bench', '--application', APPLICATION, '--role', ROLE, '--json']);
  const json = JSON.parse(out);
  assert(json.client_id && json.client_secret, 'clients create --json printed client_id and client_secret');
  return { clientId: json.client_id, clientSecret: json.client_secret };
}

async function getToken(ctx, client) {
  const form = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  const basic = Buffer.from(`${form(client.clientId)}:${form(client.clientSecret)}`).toString('base64');
  const res = await request(`${ctx.gatewayUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  assert(res.status === 200 && res.json && typeof res.json.access_token === 'string', `token endpoint answered 200 with a token (got ${res.status} ${res.text})`);
  return res.json.access_token;
}

async function fetchJwk(ctx, kid) {
  const res = await request(`${ctx.gatewayUrl}/.well-known/jwks.json`);
  assert(res.status === 200 && res.json && Array.isArray(res.json.keys), `JWKS answered 200 (got ${res.status})`);
  const jwk = res.json.keys.find((k) => k.kid === kid);
  assert(jwk, `JWKS publishes the token's kid ${kid}`);
  assert(jwk.kty === 'RSA' && (jwk.alg === undefined || jwk.alg === 'RS256'), `the signing key is RS256 (got kty ${jwk.kty}, alg ${jwk.alg}); set PORTCULLIS_SIGNING_ALG=RS256`);
  return jwk;
}

/** Every pipeline must work before it is measured: a benchmark of a broken pipeline is worthless. */
async function sanityCheck(ctx, token, clientId) {
  const bearer = { authorization: `Bearer ${token}` };
  const bad = { authorization: `Bearer ${tamperSignature(token)}` };
  let identity;
  for (const t of TARGETS) {
    const url = ctx.gatewayUrl + t.path;
    const ok = await request(url, { headers: bearer });
    assert(ok.status === 200, `${t.name}: GET ${t.path} with the token -> 200 (got ${ok.status} ${ok.text.slice(0, 200)})`);
    assert(ok.json && ok.json.upstream === 'echo' && ok.json.path === t.path, `${t.name}: answered by the echo upstream (got ${ok.text.slice(0, 200)})`);
    if (t.name === 'guard') {
      assert(ok.json.identity['x-portcullis-client-id'] === clientId, `guard: the upstream saw the verified identity headers (got ${JSON.stringify(ok.json.identity)})`);
      identity = ok.json.identity;
    }
    if (!t.auth) {
      const anonymous = await request(url);
      assert(anonymous.status === 200, `${t.name}: GET ${t.path} without a token -> 200 (got ${anonymous.status})`);
      continue;
    }
    const none = await request(url);
    assert(none.status === 401, `${t.name}: GET ${t.path} without a token -> 401 (got ${none.status})`);
    const forged = await request(url, { headers: bad });
    assert(forged.status === 401, `${t.name}: GET ${t.path} with a tampered signature -> 401 (got ${forged.status})`);
  }
  log('sanity checks passed: noauth 200 with and without the token; guard and egjwt 200 with it, 401 without it and with a bad signature');
  return identity;
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * Every target gets byte-identical requests, the token included (the no-auth pipeline simply
 * forwards it), so the difference between targets is the policy and nothing else.
 */
function requestHeaders(token, target, identity) {
  const headers = { authorization: `Bearer ${token}` };
  // Diagnostic control: the other targets send the identity headers the guard adds, so the
  // upstream receives and echoes the same bytes for all three, isolating the policy's own cost.
  if (SAME_UPSTREAM && target.name !== 'guard') Object.assign(headers, identity);
  return headers;
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    currentCannon = autocannon(opts, (err, result) => {
      currentCannon = undefined;
      if (err) reject(err);
      else resolve(result);
    });
  });
}

async function measure(ctx, gw, target, token, round, identity) {
  const opts = {
    url: ctx.gatewayUrl + target.path,
    connections: SETTINGS.connections,
    pipelining: SETTINGS.pipelining,
    headers: requestHeaders(token, target, identity),
    ...(SETTINGS.rate ? { overallRate: SETTINGS.rate } : {}),
  };
  const quiet = await waitForQuiet();
  let warmupResult;
  if (SETTINGS.warmup > 0) warmupResult = await cannon({ ...opts, duration: SETTINGS.warmup });
  if (CPU_PROF) await toggleProfiler(ctx, gw, `round${round}-${target.name}`);
  const cpuBefore = cpuMs(gw.pid);
  const sysBefore = systemCpuMs();
  const selfBefore = process.cpuUsage();
  const r = await cannon({ ...opts, duration: SETTINGS.duration });
  const self = process.cpuUsage(selfBefore);
  const sysAfter = systemCpuMs();
  const cpuAfter = cpuMs(gw.pid);
  if (CPU_PROF) {
    await toggleProfiler(ctx, gw, undefined);
    // Lets profile-summary.js express sampled time per request.
    fs.writeFileSync(path.join(ctx.profDir, `round${round}-${target.name}.json`), JSON.stringify({ requests: r.requests.total, durationS: r.duration }));
  }
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return {
    requestsPerSec: r.requests.average,
    requestsPerSecStddev: r.requests.stddev,
    requestsTotal: r.requests.total,
    latencyMeanMs: r.latency.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
    gatewayCpuMs: cpu,
    gatewayCpuUsPerRequest: cpu !== undefined && r.requests.total ? (cpu * 1000) / r.requests.total : undefined,
    quietWaitS: quiet.waitedS,
    otherCpuPercentBefore: quiet.otherPercent,
    loadGeneratorCpuMs: (self.user + self.system) / 1000,
    // CPU that other processes used meanwhile, in % of one core: > ~10% means the run competed
    // with other work (the two cores are shared by the load generator and the gateway).
    otherCpuPercent: sysBefore && sysAfter && cpu !== undefined
      ? Math.max(0, (sysAfter.tasks - sysBefore.tasks - cpu - (self.user + self.system) / 1000) / (r.duration * 1000)) * 100
      : undefined,
    interruptCpuPercent: sysBefore && sysAfter ? ((sysAfter.interrupts - sysBefore.interrupts) / (r.duration * 1000)) * 100 : undefined,
    stealCpuPercent: sysBefore && sysAfter ? ((sysAfter.steal - sysBefore.steal) / (r.duration * 1000)) * 100 : undefined,
    warmupNon2xx: warmupResult ? warmupResult.non2xx : 0,
    warmupErrors: warmupResult ? warmupResult.errors : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(n, digits = 0) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function printTable(summary, ratios) {
  const rows = [['target', 'pipeline', 'req/s (median of means)', 'p99 ms', 'mean ms', 'non-2xx', 'errors', 'gw CPU us/req']];
  for (const t of TARGETS) {
    const s = summary[t.name];
    rows.push([t.name, t.label, fmt(s.requestsPerSec, 0), fmt(s.latencyP99Ms, 0), fmt(s.latencyMeanMs, 2), String(s.non2xx), String(s.errors + s.timeouts), fmt(s.gatewayCpuUsPerRequest, 0)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('');
  if (SETTINGS.rate) out.push(`fixed-rate mode (${SETTINGS.rate} req/s offered): the req/s ratios are ~1 by construction; compare gateway CPU per request and latency`);
  const met = (v, min) => (v >= min ? 'MET' : 'NOT MET');
  if (SETTINGS.rate) {
    out.push(`guard / noauth  (req/s): ${fmt(ratios.guardVsNoauth, 3)}x`);
    out.push(`guard / egjwt   (req/s): ${fmt(ratios.guardVsEgjwt, 3)}x`);
  } else {
    out.push(`guard / noauth  (req/s): ${fmt(ratios.guardVsNoauth, 3)}x   target >= 0.95x  ${met(ratios.guardVsNoauth, 0.95)}`);
    out.push(`guard / egjwt   (req/s): ${fmt(ratios.guardVsEgjwt, 3)}x   target >= 2x     ${met(ratios.guardVsEgjwt, 2)}`);
  }
  out.push(`egjwt / noauth  (req/s): ${fmt(ratios.egjwtVsNoauth, 3)}x`);
  if (!SETTINGS.rate && SETTINGS.rounds > 1) {
    out.push(`paired (median of per-round ratios): guard / noauth ${fmt(ratios.pairedGuardVsNoauth, 3)}x, guard / egjwt ${fmt(ratios.pairedGuardVsEgjwt, 3)}x`);
  }
  out.push('');
  out.push(`gateway CPU per request: guard costs ${fmt(ratios.guardOverheadCpuUs, 0)} us more than noauth, egjwt ${fmt(ratios.egjwtOverheadCpuUs, 0)} us more`);
  out.push(`CPU-based guard / noauth (noauth_cpu/guard_cpu): ${fmt(ratios.cpuGuardVsNoauth, 3)}x   target >= 0.95x  ${met(ratios.cpuGuardVsNoauth, 0.95)}`);
  out.push(`CPU-based guard / egjwt  (egjwt_cpu/guard_cpu):  ${fmt(ratios.cpuGuardVsEgjwt, 3)}x   target >= 2x     ${met(ratios.cpuGuardVsEgjwt, 2)}`);
  const busiest = Math.max(...TARGETS.flatMap((t) => summary[t.name].rounds.map((r) => r.otherCpuPercent ?? 0)));
  if (busiest > 15) out.push(`WARNING: other processes used up to ${busiest.toFixed(0)}% of a core during the measured runs; req/s figures are noisy (the CPU-per-request figures less so)`);
  process.stdout.write(out.join('\n') + '\n');
}

/** A hash of the compiled code measured (dist/ may be rebuilt between runs), and its newest file time. */
function distFingerprint() {
  const hash = require('node:crypto').createHash('sha256');
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) {
        hash.update(path.relative(ROOT, full)).update(fs.readFileSync(full));
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  try {
    walk(path.join(ROOT, 'dist'));
    return { sha256: hash.digest('hex').slice(0, 16), newestFile: new Date(newest).toISOString() };
  } catch {
    return undefined;
  }
}

function gitCommit() {
  try {
    const head = fs.readFileSync(path.join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = path.join(ROOT, '.git', ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    const packed = fs.readFileSync(path.join(ROOT, '.git', 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(' ' + ref));
    return line ? line.split(' ')[0] : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');

  distFingerprintAtStart = distFingerprint();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
  const configDir = path.join(tmpDir, 'config');
  fs.mkdirSync(configDir);
  const sqlitePath = path.join(tmpDir, 'portcullis.db');
  const port = await freePort();
  let echoPort = await freePort();
  while (echoPort === port) echoPort = await freePort();
  const ctx = {
    dir: tmpDir,
    configDir,
    sqlitePath,
    port,
    echoPort,
    gatewayUrl: `http://${HOST}:${port}`,
    issuer: `http://${HOST}:${port}`,
    echoUrl: `http://${HOST}:${echoPort}`,
    profDir: path.join(tmpDir, 'cpu-prof'),
  };
  if (CPU_PROF) fs.mkdirSync(ctx.profDir);
  log(`settings: ${JSON.stringify(SETTINGS)}; temp dir ${tmpDir}`);
  const loadBefore = os.loadavg()[0];
  if (loadBefore > 0.5) log(`note: 1-min load average is already ${loadBefore.toFixed(2)} before the benchmark (other processes are busy)`);

  const { audience } = writeSystemConfig(configDir, sqlitePath, ['noauth']);

  // Phase 1: the jwt pipeline needs Portcullis' public key in its YAML, and the key is created by
  // the first start. Start once without it, create the client, read the token and the JWKS.
  writeGatewayConfig(configDir, { port, echoUrl: ctx.echoUrl });
  let gw = await startGateway(ctx, 'bootstrap');
  const client = await createClient(ctx);
  const firstToken = await getToken(ctx, client);
  const header = decodeJwtPart(firstToken, 0);
  const claims = decodeJwtPart(firstToken, 1);
  assert(header.alg === 'RS256', `the token is RS256 (got ${header.alg})`);
  assert(claims.iss === ctx.issuer, `token iss is ${ctx.issuer} (got ${claims.iss})`);
  assert(claims.aud === audience || (Array.isArray(claims.aud) && claims.aud.includes(audience)), `token aud is ${audience} (got ${JSON.stringify(claims.aud)})`);
  const jwk = await fetchJwk(ctx, header.kid);
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  await stopGateway(gw);

  // Phase 2: the real configuration, all three pipelines in one gateway process.
  writeSystemConfig(configDir, sqlitePath, ['noauth', 'egjwt']);
  writeGatewayConfig(configDir, { port, echoUrl: ctx.echoUrl, jwt: { pem, audience, issuer: claims.iss } });
  gw = await startGateway(ctx, 'bench');
  const token = await getToken(ctx, client);
  assert(decodeJwtPart(token, 0).kid === header.kid, 'the token is signed by the key the jwt policy was configured with');
  const identity = await sanityCheck(ctx, token, client.clientId);

  // Process warm-up before anything is measured, so the first target measured is not penalised:
  // JIT, and Node's Buffer() deprecation check, which captures a stack trace on each of the first
  // 10,000 calls of `new Buffer()` (express-gateway's uuid62 does one per request).
  for (const t of TARGETS) {
    const w = await cannon({ url: ctx.gatewayUrl + t.path, connections: SETTINGS.connections, pipelining: SETTINGS.pipelining, amount: WARMUP_REQUESTS_PER_TARGET, headers: requestHeaders(token, t, identity) });
    assert(w.non2xx === 0 && w.errors === 0, `${t.name}: process warm-up got ${w.non2xx} non-2xx and ${w.errors} errors`);
  }
  log(`process warm-up done (${WARMUP_REQUESTS_PER_TARGET} requests per target)`);

  // Interleaved rounds, alternating order (a,b,c then c,b,a, ...) so that slow drift (thermal,
  // GC heap growth, noisy neighbours) hits every target alike.
  const perTarget = Object.fromEntries(TARGETS.map((t) => [t.name, []]));
  for (let round = 0; round < SETTINGS.rounds; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
    for (const t of order) {
      log(`round ${round + 1}/${SETTINGS.rounds}: ${t.name} (${SETTINGS.warmup}s warm-up + ${SETTINGS.duration}s, ${SETTINGS.connections} connections)`);
      const m = await measure(ctx, gw, t, token, round + 1, identity);
      perTarget[t.name].push({ round: round + 1, ...m });
      log(`  ${t.name}: ${fmt(m.requestsPerSec)} req/s, p99 ${m.latencyP99Ms} ms, non-2xx ${m.non2xx}, errors ${m.errors}, gateway CPU ${fmt(m.gatewayCpuUsPerRequest)} us/req, other processes ${fmt(m.otherCpuPercent)}% of a core (interrupts ${fmt(m.interruptCpuPercent)}%, steal ${fmt(m.stealCpuPercent)}%)`);
    }
  }
  // A gateway that died or started answering errors mid-run would make the numbers meaningless.
  await sanityCheck(ctx, token, client.clientId);
  await stopGateway(gw);

  const summary = {};
  for (const t of TARGETS) {
    const runs = perTarget[t.name];
    const sum = (k) => runs.reduce((acc, r) => acc + (r[k] || 0), 0);
    summary[t.name] = {
      pipeline: t.label,
      path: t.path,
      requestsPerSec: median(runs.map((r) => r.requestsPerSec)),
      latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)),
      latencyMeanMs: median(runs.map((r) => r.latencyMeanMs)),
      gatewayCpuUsPerRequest: median(runs.map((r) => r.gatewayCpuUsPerRequest)),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      timeouts: sum('timeouts'),
      rounds: runs,
    };
  }
  const ratios = {
    guardVsNoauth: summary.guard.requestsPerSec / summary.noauth.requestsPerSec,
    guardVsEgjwt: summary.guard.requestsPerSec / summary.egjwt.requestsPerSec,
    egjwtVsNoauth: summary.egjwt.requestsPerSec / summary.noauth.requestsPerSec,
    // The same comparisons from the gateway's CPU time per request (inverse, so > 1 is "guard is
    // cheaper"): less sensitive to other processes competing for the two cores than req/s.
    cpuGuardVsNoauth: summary.noauth.gatewayCpuUsPerRequest / summary.guard.gatewayCpuUsPerRequest,
    cpuGuardVsEgjwt: summary.egjwt.gatewayCpuUsPerRequest / summary.guard.gatewayCpuUsPerRequest,
    guardOverheadCpuUs: summary.guard.gatewayCpuUsPerRequest - summary.noauth.gatewayCpuUsPerRequest,
    egjwtOverheadCpuUs: summary.egjwt.gatewayCpuUsPerRequest - summary.noauth.gatewayCpuUsPerRequest,
    // Paired: the ratio within each round (runs close in time), then the median over rounds.
    pairedGuardVsNoauth: median(perTarget.guard.map((g, i) => g.requestsPerSec / perTarget.noauth[i].requestsPerSec)),
    pairedGuardVsEgjwt: median(perTarget.guard.map((g, i) => g.requestsPerSec / perTarget.egjwt[i].requestsPerSec)),
  };
  const targets = {
    guardVsNoauthMin: 0.95,
    guardVsEgjwtMin: 2,
    // req/s-based verdicts are meaningless in fixed-rate mode (null there).
    guardVsNoauthMet: SETTINGS.rate ? null : ratios.guardVsNoauth >= 0.95,
    guardVsEgjwtMet: SETTINGS.rate ? null : ratios.guardVsEgjwt >= 2,
    cpuGuardVsNoauthMet: ratios.cpuGuardVsNoauth >= 0.95,
    cpuGuardVsEgjwtMet: ratios.cpuGuardVsEgjwt >= 2,
  };

  printTable(summary, ratios);
  const distNow = distFingerprint();
  if (distNow && distFingerprintAtStart && distNow.sha256 !== distFingerprintAtStart.sha256) {
    process.stdout.write('NOTE: dist/ changed during the run (someone rebuilt); the gateway kept the code it loaded at start.\n');
  }

  const invalid = TARGETS.filter((t) => summary[t.name].non2xx || summary[t.name].errors || summary[t.name].timeouts).map((t) => t.name);
  const result = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    dist: distFingerprintAtStart,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
    cpuModel: os.cpus()[0] && os.cpus()[0].model,
    settings: { ...SETTINGS, sameUpstream: SAME_UPSTREAM, host: HOST, autocannon: require('autocannon/package.json').version },
    design: 'one gateway process (with the sample echo upstream in the same process) serving three pipelines; interleaved rounds with alternating order; per-target figures are medians over rounds',
    summary,
    ratios,
    targets,
    valid: invalid.length === 0,
    ...(invalid.length ? { invalidTargets: invalid } : {}),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, 'latest.json');
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  log(`results written to ${path.relative(process.cwd(), out) || out}`);
  if (CPU_PROF) log(`CPU profiles of the gateway (one per measured run) in ${ctx.profDir}; summarise with node bench/profile-summary.js <file>`);
  if (invalid.length) {
    failed = true;
    throw new Error(`non-2xx responses or errors during measurement for: ${invalid.join(', ')}; the figures are not valid`);
  }
}

main()
  .then(() => {
    cleanupTmp();
  })
  .catch(async (err) => {
    failed = true;
    process.stderr.write(`\nbench failed: ${err && err.stack ? err.stack : err}\n`);
    await stopAll().catch(() => undefined);
    cleanupTmp();
    process.exitCode = 1;
  });
