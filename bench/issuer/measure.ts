import autocannon from 'autocannon';
import type { RunPlan } from './load';
import { cpuMs, machineCpuMs, rssMiB } from './processes';
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

let current: autocannon.Instance | undefined;

export function stopLoad(): void {
  current?.stop();
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    current = autocannon(opts, (err, result) => {
      current = undefined;
      if (err) reject(err);
      else resolve(result);
    });
  });
}

/** One run of a target; the plan (with its pre-minted codes) is made before the CPU counters start. */
export async function run(target: Target, plan: RunPlan, connections: number): Promise<RunResult> {
  const url = target.issuer.tokenUrl;
  const pid = target.issuer.proc.pid;
  const cpuBefore = cpuMs(pid);
  const machineBefore = machineCpuMs();
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
  const r = await cannon({ url, connections, pipelining: 1, ...rest, requests: (requests ?? [{ method, headers, body }]).map(count) });
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineCpuMs();
  const cpuAfter = cpuMs(pid);
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  const total = answered;
  const durationS = (lastAnswerAt - startedAt) / 1000;
  const selfMs = (self.user + self.system) / 1000;
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
    otherCpuPercent: machineBefore !== undefined && machineAfter !== undefined && cpu !== undefined && r.duration
      ? Math.max(0, (machineAfter - machineBefore - cpu - selfMs) / (r.duration * 1000)) * 100
      : undefined,
  };
}
