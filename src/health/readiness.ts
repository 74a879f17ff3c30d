import type { Logger } from '../logging/logger';

/** One thing readiness depends on: resolves when it is fine, throws (or never settles) when not. */
export interface ReadinessCheck {
  /** The key of this check in the `/readyz` body (`store`, `signingKeys`...). */
  name: string;
  run(): Promise<unknown> | unknown;
}

/** What a check answered: only these words reach the probe's body, never an error message. */
export type CheckOutcome = 'ok' | 'failed' | 'timed_out';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckOutcome | 'in_progress'>;
}

export interface ReadinessOptions {
  /** How long an answer is reused, on `now`'s clock: probes cost at most one check round per period. */
  cacheMs: number;
  /** How long one check may take before it counts as `timed_out` (a hung Redis must not hang the probe). */
  timeoutMs: number;
  now: () => number;
  logger?: Logger;
}

/**
 * Readiness of one runtime: runs every check at most once per `cacheMs` (concurrent probes share
 * one run), each bounded by `timeoutMs`, so a probe is answered within `timeoutMs` and reflects a
 * state at most `cacheMs` old. A change of the answer is logged once, not on every probe.
 */
export class Readiness {
  private cached?: { at: number; report: ReadinessReport };
  private running?: Promise<ReadinessReport>;

  constructor(private readonly checks: readonly ReadinessCheck[], private readonly options: ReadinessOptions) {}

  /** The current answer: the cached one while it is fresh, else the result of a new run. */
  report(): Promise<ReadinessReport> {
    const now = this.options.now();
    const cached = this.cached;
    // A clock stepped back (now < at) does not extend a cached answer.
    if (cached && now >= cached.at && now - cached.at < this.options.cacheMs) return Promise.resolve(cached.report);
    this.running ??= this.run(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(startedAt: number): Promise<ReadinessReport> {
    const failures: Record<string, string> = {};
    const outcomes = await Promise.all(
      this.checks.map(async (check): Promise<[string, CheckOutcome]> => {
        try {
          await withTimeout(Promise.resolve().then(() => check.run()), this.options.timeoutMs);
          return [check.name, 'ok'];
        } catch (error) {
          failures[check.name] = error instanceof Error ? error.message : String(error);
          return [check.name, error === TIMED_OUT ? 'timed_out' : 'failed'];
        }
      }),
    );
    const report: ReadinessReport = { ready: outcomes.every(([, outcome]) => outcome === 'ok'), checks: Object.fromEntries(outcomes) };
    const previous = this.cached?.report.ready ?? true;
    if (previous !== report.ready) {
      if (report.ready) this.options.logger?.info('ready', { checks: report.checks });
      // The causes go to the log only (they may name hosts); the probe body carries just the outcome.
      else this.options.logger?.warn('not ready', { checks: report.checks, causes: failures });
    }
    // Stamped with the start of the run: the answer describes the state at that moment.
    this.cached = { at: startedAt, report };
    return report;
  }
}

const TIMED_OUT = new Error('readiness check timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
