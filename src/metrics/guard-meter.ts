import { REFUSAL_REASONS, type GuardDecisionMeter, type RefusalReason } from '../guard/refusal-reason';
import type { PortcullisMetrics } from './portcullis-metrics';
import type { Tally } from './tallied-counter';

/** Seconds since `start` (a `performance.now()` reading). */
const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * What one guard records per request: its decision and how long it took. The labelled series are
 * looked up once, here, for the guard's application and every reason code, so a request costs a
 * tally increment and a tallied histogram observation, neither hashing labels (the guard's cached
 * path takes a few microseconds).
 * Guards of one application (several pipelines, or the runtimes a reload opens) share its series.
 */
export class GuardMeter implements GuardDecisionMeter {
  private readonly allowed: Tally;
  private readonly refused = new Map<RefusalReason, Tally>();
  private readonly allowedTime;
  private readonly refusedTime;

  constructor(metrics: PortcullisMetrics, application: string) {
    this.allowed = metrics.guardDecisions.tally({ application, result: 'allowed', reason: 'none' });
    // Every reason is created at once: each series exists (at 0) from the start, so rate() and
    // alerts see the first refusal as an increase rather than as a new series.
    for (const reason of REFUSAL_REASONS) this.refused.set(reason, metrics.guardDecisions.tally({ application, result: 'refused', reason }));
    this.allowedTime = metrics.guardDuration.tally({ application, result: 'allowed' });
    this.refusedTime = metrics.guardDuration.tally({ application, result: 'refused' });
  }

  /** The request was let through; `start` is the `performance.now()` at its arrival at the guard. */
  allow(start: number): void {
    this.allowed.inc();
    this.allowedTime.observe(secondsSince(start));
  }

  /** The request was refused for `reason`. */
  refuse(reason: RefusalReason, start: number): void {
    this.refused.get(reason)!.inc();
    this.refusedTime.observe(secondsSince(start));
  }
}
