import { toOAuthError } from '../errors/classify-error';
import type { PortcullisMetrics } from './portcullis-metrics';

/** The grant label of a request whose grant_type is missing, unknown or could not be read. */
export const UNSUPPORTED_GRANT = 'unsupported';

/**
 * What the token endpoint records per request: its grant type (a registered one, or
 * `unsupported`, so a caller cannot invent label values), its result (`issued`, or the RFC 6749
 * §5.2 error code: a fixed set) and its latency. Series are looked up once per (grant, result).
 */
export class TokenMeter {
  private readonly counters = new Map<string, { inc(): void }>();
  private readonly timers = new Map<string, { observe(seconds: number): void }>();

  constructor(private readonly metrics: PortcullisMetrics) {}

  /** A token response was sent; `start` is the `performance.now()` at the request's arrival. */
  issued(grant: string, start: number): void {
    this.record(grant, 'issued', start);
  }

  /** The request was answered with the error `thrown` becomes on the wire. */
  failed(grant: string, thrown: unknown, start: number): void {
    this.record(grant, toOAuthError(thrown).error, start);
  }

  private record(grant: string, result: string, start: number): void {
    const key = `${grant} ${result}`;
    let counter = this.counters.get(key);
    if (!counter) this.counters.set(key, (counter = this.metrics.tokenRequests.tally({ grant, result })));
    let timer = this.timers.get(grant);
    if (!timer) this.timers.set(grant, (timer = this.metrics.tokenDuration.tally({ grant })));
    counter.inc();
    timer.observe((performance.now() - start) / 1000);
  }
}
