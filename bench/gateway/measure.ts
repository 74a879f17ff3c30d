import type autocannon from 'autocannon';
import { cpuMs, machineCpu, otherCpuPercent, selfCpuMs } from '../common/cpu';
import { profiled } from '../common/profiler';
import { rotatingRequest } from '../common/rotation';
import type { BenchContext } from './context';
import type { Gateway } from './gateway';
import { waitForQuiet } from './quiet';
import { extraHeaders, tokensFor, type Identity, type Target, type Tokens } from './targets';

/** One measured run of one target; the field names are those of bench/results/latest.json. */
export interface Measurement {
  requestsPerSec: number;
  requestsPerSecStddev: number;
  requestsTotal: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  gatewayCpuMs: number | undefined;
  /** CPU (user + system) of the gateway process per request answered, in microseconds. */
  gatewayCpuUsPerRequest: number | undefined;
  quietWaitS: number;
  otherCpuPercentBefore: number | undefined;
  loadGeneratorCpuMs: number;
  /** CPU other processes used meanwhile, in % of one core: > ~10% means the run competed with other work. */
  otherCpuPercent: number | undefined;
  interruptCpuPercent: number | undefined;
  stealCpuPercent: number | undefined;
  warmupNon2xx: number;
  warmupErrors: number;
}

/**
 * The autocannon options of every run of a target: same connections, pipelining, headers (and
 * rate); the token is the next of the target's list on every request (one for warm targets).
 */
export function loadOptions(ctx: BenchContext, target: Target, tokens: Tokens, identity: Identity): autocannon.Options {
  const s = ctx.settings.load;
  return {
    url: ctx.gatewayUrl,
    connections: s.connections,
    pipelining: s.pipelining,
    requests: [rotatingRequest(target.path, tokensFor(target, tokens), extraHeaders(target, identity, ctx.settings.sameUpstream))],
    ...(s.rate ? { overallRate: s.rate } : {}),
  };
}

/**
 * One measured run: wait for a quiet machine, warm up (unmeasured), then measure for the duration
 * with the gateway's CPU time and the machine's read before and after (profiled with
 * BENCH_CPU_PROF=1, the profiler toggled outside the counted window).
 */
export async function measure(ctx: BenchContext, gw: Gateway, target: Target, tokens: Tokens, identity: Identity, round: number): Promise<Measurement> {
  const { duration, warmup } = ctx.settings.load;
  const opts = loadOptions(ctx, target, tokens, identity);
  const quiet = await waitForQuiet(ctx.settings.quiet);
  const warm = warmup > 0 ? await ctx.load.run({ ...opts, duration: warmup }) : undefined;
  return profiled(gw, `round${round}-${target.name}`, async (): Promise<Measurement> => {
    const cpuBefore = cpuMs(gw.pid);
    const sysBefore = machineCpu();
    const selfBefore = process.cpuUsage();
    const r = await ctx.load.run({ ...opts, duration });
    const selfMs = selfCpuMs(selfBefore);
    const sysAfter = machineCpu();
    const cpuAfter = cpuMs(gw.pid);
    const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
    const percentOf = (delta: number) => (delta / (r.duration * 1000)) * 100;
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
      loadGeneratorCpuMs: selfMs,
      otherCpuPercent: otherCpuPercent(sysBefore, sysAfter, cpu, selfMs, r.duration),
      interruptCpuPercent: sysBefore && sysAfter ? percentOf(sysAfter.interrupts - sysBefore.interrupts) : undefined,
      stealCpuPercent: sysBefore && sysAfter ? percentOf(sysAfter.steal - sysBefore.steal) : undefined,
      warmupNon2xx: warm ? warm.non2xx : 0,
      warmupErrors: warm ? warm.errors : 0,
    };
  }, (m) => ({ requests: m.requestsTotal, durationS: m.durationS }));
}
