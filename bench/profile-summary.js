#!/usr/bin/env node
'use strict';
/**
 * Summarises V8 .cpuprofile files (from `BENCH_CPU_PROF=1 npm run bench`): self time by function
 * and by module (package in node_modules, file in dist/, node internals, GC, idle), and, with
 * --inclusive NAME, the total time of every function whose name or file matches NAME.
 *
 *   node bench/profile-summary.js <a.cpuprofile> [b.cpuprofile ...] [--top 25] [--inclusive guard.js]
 *                                 [--callers FUNCTION_NAME]
 *
 * --inclusive matches a function name exactly or a substring of the script URL; --callers prints
 * the heaviest call stacks (self time) ending in a function of that name.
 *
 * With several files, columns are side by side (e.g. round1-noauth vs round1-guard).
 */
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
let top = 25;
const DEPTH = Number(process.env.PROFILE_STACK_DEPTH || 8);
const inclusive = [];
const callers = [];
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--inclusive') inclusive.push(args[++i]);
  else if (args[i] === '--callers') callers.push(args[++i]);
  else files.push(args[i]);
}
if (!files.length) {
  process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile> [...] [--top N] [--inclusive NAME]\n');
  process.exit(2);
}

function moduleOf(url) {
  if (!url) return '(native/V8)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = u.indexOf('/dist/');
  if (dist >= 0) return 'portcullis ' + u.slice(dist + 1);
  if (u.startsWith('node:')) return 'node internals';
  return path.basename(u);
}

function analyse(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // Time per sample: timeDeltas[i] is the time before sample i.
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) || 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byModule = new Map();
  const inclusiveUs = new Map(inclusive.map((k) => [k, 0]));
  const stacks = new Map();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    if (name === '(idle)') idle += us;
    const key = `${name}  ${cf.url ? moduleOf(cf.url) + ':' + (cf.lineNumber + 1) : ''}`;
    byFunction.set(key, (byFunction.get(key) || 0) + us);
    if (callers.includes(name)) {
      const frames = [];
      for (let cur = parent.get(id); cur !== undefined && frames.length < DEPTH; cur = parent.get(cur)) {
        const f = nodes.get(cur).callFrame;
        frames.push(`${f.functionName || '(anonymous)'} ${f.url ? moduleOf(f.url) + ':' + (f.lineNumber + 1) : ''}`);
      }
      const stackKey = `${name} <- ${frames.join(' <- ')}`;
      stacks.set(stackKey, (stacks.get(stackKey) || 0) + us);
    }
    const mod = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : moduleOf(cf.url);
    byModule.set(mod, (byModule.get(mod) || 0) + us);
    // Inclusive: charge this sample to each matching frame on its stack (once per key).
    if (inclusive.length) {
      const seen = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const f = nodes.get(cur).callFrame;
        for (const k of inclusive) {
          if (!seen.has(k) && (f.functionName === k || (f.url && f.url.includes(k)))) {
            seen.add(k);
            inclusiveUs.set(k, inclusiveUs.get(k) + us);
          }
        }
      }
    }
  }
  // bench/common/profiler.ts writes <label>.json with the number of requests the profiled run answered.
  let requests;
  try {
    requests = JSON.parse(fs.readFileSync(file.replace(/\.cpuprofile$/, '.json'), 'utf8')).requests;
  } catch {
    requests = undefined;
  }
  return { file, total, busy: total - idle, byFunction, byModule, inclusiveUs, stacks, requests };
}

const results = files.map(analyse);
// With request counts, figures are sampled microseconds per request; otherwise % of busy time.
const perRequest = results.every((r) => r.requests > 0);
const pct = perRequest
  ? (us, r) => (us / r.requests).toFixed(2).padStart(6) + 'us'
  : (us, r) => ((100 * us) / r.busy).toFixed(1).padStart(5) + '%';

function section(title, pick, limit = top) {
  const keys = new Map();
  for (const r of results) for (const [k, v] of pick(r)) keys.set(k, Math.max(keys.get(k) || 0, v / r.busy));
  const sorted = [...keys.entries()].filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, limit > 0 ? limit : Infinity);
  process.stdout.write(`\n${title} (${perRequest ? 'sampled us per request' : '% of busy samples'})\n`);
  process.stdout.write(results.map((r) => path.basename(r.file, '.cpuprofile').slice(0, 16).padStart(16)).join(' ') + '  name\n');
  for (const [k] of sorted) {
    process.stdout.write(results.map((r) => pct(pick(r).get(k) || 0, r).padStart(16)).join(' ') + '  ' + k + '\n');
  }
}

for (const r of results) {
  process.stdout.write(`${r.file}: ${(r.total / 1e6).toFixed(2)} s sampled, busy ${(r.busy / 1e6).toFixed(2)} s (${((100 * r.busy) / r.total).toFixed(0)}%)` +
    (r.requests ? `, ${r.requests} requests, ${(r.busy / r.requests).toFixed(1)} us busy per request` : '') + '\n');
}
section('Self time by module', (r) => r.byModule);
section('Self time by function', (r) => r.byFunction);
if (inclusive.length) section('Inclusive time', (r) => r.inclusiveUs, Infinity);
if (callers.length) {
  for (const r of results) {
    process.stdout.write(`\nHeaviest stacks ending in ${callers.join(', ')}: ${path.basename(r.file)}\n`);
    for (const [k, v] of [...r.stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      process.stdout.write(`${pct(v, r)}  ${k}\n`);
    }
  }
}
