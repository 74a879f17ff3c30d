import { fmt, median, table } from '../common/report';
import type { Round, Runs } from './rounds';
import type { LoadSettings } from './settings';
import { rowName, TARGETS, targetNamed, type TargetName } from './targets';

/** Per target: the medians over rounds; non-2xx, errors and timeouts summed over all measured runs. */
export interface TargetSummary {
  pipeline: string;
  path: string;
  requestsPerSec: number | undefined;
  latencyP99Ms: number | undefined;
  latencyMeanMs: number | undefined;
  gatewayCpuUsPerRequest: number | undefined;
  non2xx: number;
  errors: number;
  timeouts: number;
  rounds: Round[];
}

export type Summary = Record<TargetName, TargetSummary>;

export function summarise(runs: Runs): Summary {
  const one = (name: TargetName): TargetSummary => {
    const t = targetNamed(name);
    const rounds = runs[name];
    const sum = (k: 'non2xx' | 'errors' | 'timeouts') => rounds.reduce((acc, r) => acc + (r[k] || 0), 0);
    return {
      pipeline: t.label,
      path: t.path,
      requestsPerSec: median(rounds.map((r) => r.requestsPerSec)),
      latencyP99Ms: median(rounds.map((r) => r.latencyP99Ms)),
      latencyMeanMs: median(rounds.map((r) => r.latencyMeanMs)),
      gatewayCpuUsPerRequest: median(rounds.map((r) => r.gatewayCpuUsPerRequest)),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      timeouts: sum('timeouts'),
      rounds,
    };
  };
  return Object.fromEntries(TARGETS.map((t) => [t.name, one(t.name)])) as Summary;
}

// `undefined` operands give NaN, which the table prints as n/a and the JSON as null.
const div = (a: number | undefined, b: number | undefined) => (a ?? NaN) / (b ?? NaN);
const sub = (a: number | undefined, b: number | undefined) => (a ?? NaN) - (b ?? NaN);

// Paired: the ratio within each round (runs close in time), then the median over rounds.
const paired = (runs: Runs, a: TargetName, b: TargetName) => median(runs[a].map((x, i) => x.requestsPerSec / (runs[b][i]?.requestsPerSec ?? NaN)));

export function ratios(summary: Summary, runs: Runs) {
  const { noauth, guard, foreign, egjwt } = summary;
  const guardCold = summary['guard-cold'];
  const egjwtCold = summary['egjwt-cold'];
  const foreignCold = summary['foreign-cold'];
  return {
    guardVsNoauth: div(guard.requestsPerSec, noauth.requestsPerSec),
    guardVsEgjwt: div(guard.requestsPerSec, egjwt.requestsPerSec),
    egjwtVsNoauth: div(egjwt.requestsPerSec, noauth.requestsPerSec),
    foreignVsGuard: div(foreign.requestsPerSec, guard.requestsPerSec),
    foreignVsNoauth: div(foreign.requestsPerSec, noauth.requestsPerSec),
    foreignVsEgjwt: div(foreign.requestsPerSec, egjwt.requestsPerSec),
    // The same comparisons from the gateway's CPU time per request (inverse, so > 1 is "guard is
    // cheaper"): less sensitive to other processes competing for the two cores than req/s.
    cpuGuardVsNoauth: div(noauth.gatewayCpuUsPerRequest, guard.gatewayCpuUsPerRequest),
    cpuGuardVsEgjwt: div(egjwt.gatewayCpuUsPerRequest, guard.gatewayCpuUsPerRequest),
    guardOverheadCpuUs: sub(guard.gatewayCpuUsPerRequest, noauth.gatewayCpuUsPerRequest),
    egjwtOverheadCpuUs: sub(egjwt.gatewayCpuUsPerRequest, noauth.gatewayCpuUsPerRequest),
    pairedGuardVsNoauth: paired(runs, 'guard', 'noauth'),
    pairedGuardVsEgjwt: paired(runs, 'guard', 'egjwt'),
    // Cold: BENCH_TOKENS distinct tokens in rotation (the guard verifies each once, then serves it
    // from its cache; egjwt verifies every request either way), against the same noauth runs.
    guardColdVsNoauth: div(guardCold.requestsPerSec, noauth.requestsPerSec),
    foreignColdVsNoauth: div(foreignCold.requestsPerSec, noauth.requestsPerSec),
    guardColdVsEgjwtCold: div(guardCold.requestsPerSec, egjwtCold.requestsPerSec),
    guardColdVsGuard: div(guardCold.requestsPerSec, guard.requestsPerSec),
    cpuGuardColdVsNoauth: div(noauth.gatewayCpuUsPerRequest, guardCold.gatewayCpuUsPerRequest),
    cpuGuardColdVsEgjwtCold: div(egjwtCold.gatewayCpuUsPerRequest, guardCold.gatewayCpuUsPerRequest),
    guardColdOverheadCpuUs: sub(guardCold.gatewayCpuUsPerRequest, noauth.gatewayCpuUsPerRequest),
    pairedGuardColdVsNoauth: paired(runs, 'guard-cold', 'noauth'),
    pairedGuardColdVsEgjwtCold: paired(runs, 'guard-cold', 'egjwt-cold'),
  };
}

export type Ratios = ReturnType<typeof ratios>;

/** The targets: guard >= 0.97x noauth and >= 2x egjwt; req/s verdicts are null in fixed-rate mode (meaningless there). */
export function verdicts(r: Ratios, s: LoadSettings) {
  return {
    guardVsNoauthMin: 0.97,
    guardVsEgjwtMin: 2,
    guardVsNoauthMet: s.rate ? null : r.guardVsNoauth >= 0.97,
    guardVsEgjwtMet: s.rate ? null : r.guardVsEgjwt >= 2,
    cpuGuardVsNoauthMet: r.cpuGuardVsNoauth >= 0.97,
    cpuGuardVsEgjwtMet: r.cpuGuardVsEgjwt >= 2,
  };
}

export function formatTable(summary: Summary, r: Ratios, s: LoadSettings): string {
  const rows = [['target', 'pipeline', 'req/s (median of means)', 'p99 ms', 'mean ms', 'non-2xx', 'errors', 'gw CPU us/req']];
  for (const t of TARGETS) {
    const x = summary[t.name];
    if (!x.rounds.length) continue; // not measured (BENCH_GATEWAY_TARGETS)
    rows.push([rowName(t), t.label, fmt(x.requestsPerSec, 0), fmt(x.latencyP99Ms, 0), fmt(x.latencyMeanMs, 2), String(x.non2xx), String(x.errors + x.timeouts), fmt(x.gatewayCpuUsPerRequest, 0)]);
  }
  const out = [table(rows), ''];
  const met = (v: number, min: number) => (v >= min ? 'MET' : 'NOT MET');
  if (s.rate) {
    out.push(`fixed-rate mode (${s.rate} req/s offered): the req/s ratios are ~1 by construction; compare gateway CPU per request and latency`);
    out.push(`guard / noauth  (req/s): ${fmt(r.guardVsNoauth, 3)}x`);
    out.push(`guard / egjwt   (req/s): ${fmt(r.guardVsEgjwt, 3)}x`);
  } else {
    out.push(`guard / noauth  (req/s): ${fmt(r.guardVsNoauth, 3)}x   target >= 0.97x  ${met(r.guardVsNoauth, 0.97)}`);
    out.push(`guard / egjwt   (req/s): ${fmt(r.guardVsEgjwt, 3)}x   target >= 2x     ${met(r.guardVsEgjwt, 2)}`);
  }
  out.push(`egjwt / noauth  (req/s): ${fmt(r.egjwtVsNoauth, 3)}x`);
  out.push(`foreign / guard (req/s): ${fmt(r.foreignVsGuard, 3)}x, foreign / noauth ${fmt(r.foreignVsNoauth, 3)}x, foreign / egjwt ${fmt(r.foreignVsEgjwt, 3)}x`);
  out.push(`cold (distinct tokens): guard cold / noauth ${fmt(r.guardColdVsNoauth, 3)}x, foreign cold / noauth ${fmt(r.foreignColdVsNoauth, 3)}x, guard cold / egjwt cold ${fmt(r.guardColdVsEgjwtCold, 3)}x, guard cold / guard ${fmt(r.guardColdVsGuard, 3)}x`);
  if (!s.rate && s.rounds > 1) {
    out.push(`paired (median of per-round ratios): guard / noauth ${fmt(r.pairedGuardVsNoauth, 3)}x, guard / egjwt ${fmt(r.pairedGuardVsEgjwt, 3)}x, guard cold / noauth ${fmt(r.pairedGuardColdVsNoauth, 3)}x, guard cold / egjwt cold ${fmt(r.pairedGuardColdVsEgjwtCold, 3)}x`);
  }
  out.push('');
  out.push(`gateway CPU per request: guard costs ${fmt(r.guardOverheadCpuUs, 0)} us more than noauth, egjwt ${fmt(r.egjwtOverheadCpuUs, 0)} us more`);
  out.push(`CPU-based guard / noauth (noauth_cpu/guard_cpu): ${fmt(r.cpuGuardVsNoauth, 3)}x   target >= 0.97x  ${met(r.cpuGuardVsNoauth, 0.97)}`);
  out.push(`CPU-based guard / egjwt  (egjwt_cpu/guard_cpu):  ${fmt(r.cpuGuardVsEgjwt, 3)}x   target >= 2x     ${met(r.cpuGuardVsEgjwt, 2)}`);
  out.push(`CPU-based cold: guard cold / noauth ${fmt(r.cpuGuardColdVsNoauth, 3)}x, guard cold / egjwt cold ${fmt(r.cpuGuardColdVsEgjwtCold, 3)}x; guard cold costs ${fmt(r.guardColdOverheadCpuUs, 0)} us more than noauth`);
  const busiest = Math.max(...TARGETS.flatMap((t) => summary[t.name].rounds.map((x) => x.otherCpuPercent ?? 0)));
  if (busiest > 15) out.push(`WARNING: other processes used up to ${busiest.toFixed(0)}% of a core during the measured runs; req/s figures are noisy (the CPU-per-request figures less so)`);
  return out.join('\n') + '\n';
}

/** The targets whose measured runs got non-2xx answers, errors or timeouts: their figures measured an error path. */
export function invalidTargets(summary: Summary): TargetName[] {
  return TARGETS.filter((t) => summary[t.name].non2xx || summary[t.name].errors || summary[t.name].timeouts).map((t) => t.name);
}
