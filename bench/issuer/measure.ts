import type autocannon from 'autocannon';
import { cpuMs, machineCpu, otherCpuPercent, selfCpuMs } from '../common/cpu';
import type { Load } from '../common/load';
import type { RunPlan } from './load';
import { rssMiB } from './memory';
import type { Target } from './operations';

export interface RunResult {
  requestsPerSec: number;
  requests: number;
  durationS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU (user + system) of the issuer's process per request answered, in microseconds. */
  serverCpuUsPerRequest: number | undefined;
  /** The issuer process's resident memory after the run, MiB. */
  serverRssMiB: number | undefined;
  /** CPU other processes used meanwhile, in % of one core (the load generator and the server excluded). */
  otherCpuPercent: number | undefined;
}

/** One run of a target; the plan (with its pre-minted codes) is made before the CPU counters start. */
export async function run(load: Load, target: Target, plan: RunPlan, connections: number): Promise<RunResult> {
  const url = target.issuer.tokenUrl;
  const pid = target.issuer.proc.pid;
  const cpuBefore = cpuMs(pid);
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  // Throughput from our own clock: autocannon notices the end of an `amount` run only at its next
  // 1 s sample tick, so its duration rounds up to whole seconds; the last answer's time does not.
  let answered = 0;
  let lastAnswerAt = 0;
  const count = (req: autocannon.Request): autocannon.Request => ({
    ...req,
    onResponse(status, body, context) {
      answered++;
      lastAnswerAt = performance.now();
      req.onResponse?.(status, body, context);
    },
  });
  const { method, headers, body, requests, ...rest } = plan;
  const startedAt = performance.now();
  const r = await load.run({ url, connections, pipelining: 1, ...rest, requests: (requests ?? [{ method, headers, body }]).map(count) });
  const selfMs = selfCpuMs(selfBefore);
  const machineAfter = machineCpu();
  const cpuAfter = cpuMs(pid);
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  const total = answered;
  const durationS = (lastAnswerAt - startedAt) / 1000;
  return {
    requestsPerSec: durationS > 0 ? total / durationS : 0,
    requests: total,
    durationS,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    serverCpuUsPerRequest: cpu !== undefined && total ? (cpu * 1000) / total : undefined,
    serverRssMiB: rssMiB(pid),
    otherCpuPercent: otherCpuPercent(machineBefore, machineAfter, cpu, selfMs, r.duration),
  };
}
